"""Unit tests of the JSON Pointer helpers (RFC 6901): escaping, lookup, assignment and the
dotted form of error messages."""

from __future__ import annotations

import pytest

from sandbox_tooling.kit import pointer

DOC = {"a": [{"b": 1}, {"c/d": {"e~f": 2}}], "": "empty key"}


def test_escape_and_join() -> None:
    assert pointer.escape("a/b~c") == "a~1b~0c"
    assert pointer.escape("~1") == "~01"  # "~" first, so "~1" does not become "/"
    assert pointer.escape(3) == "3"
    assert pointer.join("", "a", 0, "c/d") == "/a/0/c~1d"
    assert pointer.join("/base") == "/base"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", DOC),
        ("/a/0/b", 1),
        ("/a/1/c~1d/e~0f", 2),
        ("/", "empty key"),
    ],
)
def test_get(path: str, expected: object) -> None:
    assert pointer.get(DOC, path) == expected


def test_get_round_trips_join() -> None:
    assert pointer.get(DOC, pointer.join("", "a", 1, "c/d", "e~f")) == 2


@pytest.mark.parametrize(
    ("path", "error"),
    [("a/0", ValueError), ("/a/5", IndexError), ("/nope", KeyError), ("/a/x", ValueError)],
)
def test_get_errors(path: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        pointer.get(DOC, path)


def test_set() -> None:
    doc = {"a": [{"b": 1}], "x": {}}
    pointer.set_(doc, "/a/0/b", 5)
    pointer.set_(doc, "/x/new~1key", [1])
    pointer.set_(doc, "/top", True)
    assert doc == {"a": [{"b": 5}], "x": {"new/key": [1]}, "top": True}
    with pytest.raises(ValueError, match="whole document"):
        pointer.set_(doc, "", 1)


@pytest.mark.parametrize(
    ("path", "dotted"),
    [
        ("/a/0/b", "a[0].b"),
        ("/allOf/1/$ref", "allOf[1].$ref"),
        ("/0/a", "[0].a"),
        ("/a~1b/c~0d", "a/b.c~d"),
        ("", "(root)"),
    ],
)
def test_to_dotted(path: str, dotted: str) -> None:
    assert pointer.to_dotted(path) == dotted


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", True),
        ("/", True),
        ("/a/0/b", True),
        ("/a~0b/c~1d", True),
        ("//", True),
        ("a", False),
        ("a/b", False),
        ("/a~2", False),
        ("/a~", False),
        ("#/a", False),
    ],
)
def test_is_pointer(value: str, expected: bool) -> None:
    assert pointer.is_pointer(value) is expected
