"""The audit log: every change an org makes, append-only, readable by the org."""
