"""sbx: a self-hostable Sandbox Tooling service."""

__version__ = "0.1.0"
