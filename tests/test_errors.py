"""Meta-test: every error class is named, documented in one line, and listed in docs/api.md."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import sandbox_tooling
from sandbox_tooling.errors import AppError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def error_classes() -> list[type[AppError]]:
    found: set[type[AppError]] = set()
    for info in pkgutil.walk_packages(sandbox_tooling.__path__, "sandbox_tooling."):
        if ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, AppError)
                and value.__module__ == info.name
            ):
                found.add(value)
    return sorted(found, key=lambda c: c.__name__)


def test_every_error_has_a_one_line_docstring() -> None:
    classes = error_classes()
    assert len(classes) > 40
    for cls in classes:
        doc = inspect.getdoc(cls) or ""
        first = doc.splitlines()[0] if doc else ""
        assert first.endswith("."), f"{cls.__module__}.{cls.__name__}: no one-line docstring"


def test_every_error_is_listed_in_the_api_docs() -> None:
    text = DOCS.read_text()
    missing = [c.__name__ for c in error_classes() if f"`{c.__name__}`" not in text]
    assert not missing, f"docs/api.md does not list: {', '.join(missing)}"
