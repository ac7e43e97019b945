"""The public XDM component library (adobe/xdm, CC BY 4.0) as test data, moved under a tenant.

The tarball ``../shared/xdm/xdm-components.tgz`` (beside the repository, as CI checks it out;
``SBX_XDM_LIBRARY`` names another copy) holds ``components/**/*.schema.json``. Each document
becomes an sbx object the way the Schema Registry names custom resources:

* ``components/classes/`` → ``REGISTRY_CLASS``, ``https://ns.adobe.com/{tenant}/classes/{name}``;
* ``components/datatypes/`` and ``components/common/`` → ``REGISTRY_DATATYPE``
  (``.../datatypes/{name}``);
* ``components/fieldgroups/`` → ``REGISTRY_MIXIN`` (``.../mixins/{name}``);
* ``components/behaviors/`` (record, time-series, adhoc) stay standard: they are built into
  every sandbox, never loaded, and references to them keep their ids
  (``https://ns.adobe.com/xdm/data/record``).

``{name}`` is the old id without its scheme and without ``ns.adobe.com/xdm/``, ``/`` turned
into ``.``: ``https://ns.adobe.com/xdm/context/profile`` → ``context.profile``,
``http://schema.org/GeoShape`` → ``schema.org.GeoShape`` (ids outside ns.adobe.com move under
the tenant like the others, the host kept in the name so that names stay unique).

Every reference to a library document is rewritten, its fragment kept: ``$id``, every
``$ref``, ``meta:extends``, ``meta:intendedToExtend`` and ``meta:class``. Those are the only
places the library names its documents, except one ``const`` (a channel's ``@id`` value) and
three property names of a deprecated data type, which are data, not references, and are
left as they are. References outside the library (only
``https://ns.adobe.com/experience/journeyOrchestration/...``) are standard and kept.
"""

from __future__ import annotations

import json
import os
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARBALL = ROOT.parent / "shared" / "xdm" / "xdm-components.tgz"

STANDARD_DIRS = ("behaviors",)
SEGMENT_OF_DIR = {
    "classes": "classes",
    "datatypes": "datatypes",
    "common": "datatypes",
    "fieldgroups": "mixins",
}
TYPE_OF_SEGMENT = {
    "classes": "REGISTRY_CLASS",
    "datatypes": "REGISTRY_DATATYPE",
    "mixins": "REGISTRY_MIXIN",
}
NAME = re.compile(r"[A-Za-z0-9_.\-]+")
#: Where the library names other documents (top-level lists of ids).
META_REFS = ("meta:extends", "meta:intendedToExtend", "meta:class")


def tarball() -> Path:
    """The library's tarball; skipped when absent, except in CI, which must have it."""
    path = Path(os.environ.get("SBX_XDM_LIBRARY") or TARBALL)
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the XDM component library is missing at {path}")
        pytest.skip(f"the XDM component library is not at {path} (set SBX_XDM_LIBRARY)")
    return path


@dataclass
class Document:
    path: str  # inside the tarball
    original: dict[str, Any]  # as published
    type: str
    old_id: str
    new_id: str
    definition: dict[str, Any] = field(default_factory=dict)  # under the tenant
    deps: set[str] = field(default_factory=set)  # old ids of the library documents it names
    soft_deps: set[str] = field(default_factory=set)  # ... through meta:intendedToExtend only


def name_of(old_id: str) -> str:
    rest = old_id.split("://", 1)[1].removeprefix("ns.adobe.com/xdm/")
    name = rest.strip("/").replace("/", ".")
    assert NAME.fullmatch(name), old_id
    return name


def split(uri: str) -> tuple[str, str]:
    base, sep, fragment = uri.partition("#")
    return base, sep + fragment


def remap(uri: str, id_map: dict[str, str]) -> str:
    base, fragment = split(uri)
    return id_map[base] + fragment if base in id_map else uri


def move(definition: dict[str, Any], id_map: dict[str, str]) -> dict[str, Any]:
    """A copy with ``$id``, every ``$ref`` and the ``meta:`` references mapped through
    ``id_map`` (old resource id → new), fragments kept."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: remap(v, id_map) if k == "$ref" and isinstance(v, str) else walk(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: dict[str, Any] = walk(definition)
    if isinstance(out.get("$id"), str):
        out["$id"] = remap(out["$id"], id_map)
    for key in META_REFS:
        value = out.get(key)
        if isinstance(value, list):
            out[key] = [remap(v, id_map) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            out[key] = remap(value, id_map)
    return out


def named(definition: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(where, uri)`` for every reference the library makes: ``$ref`` or a ``meta:`` key."""

    def walk(node: Any) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref" and isinstance(v, str):
                    yield "$ref", v
                else:
                    yield from walk(v)
        elif isinstance(node, list):
            for v in node:
                yield from walk(v)

    yield from walk(definition)
    for key in META_REFS:
        value = definition.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                yield key, v


@dataclass
class Library:
    tenant: str
    documents: dict[str, Document]  # by old id
    id_map: dict[str, str]  # old id → id under the tenant
    standard: dict[str, dict[str, Any]]  # behaviours, by id

    def by_new_id(self) -> dict[str, Document]:
        return {d.new_id: d for d in self.documents.values()}

    def load_order(self) -> list[Document]:
        """Dependencies first. Only ``meta:intendedToExtend`` closes cycles in the library
        (a field group meant for the classes that embed it): those edges are left out of
        the order, and ``load`` adds them once their classes exist."""
        order: list[Document] = []
        done: set[str] = set()
        visiting: set[str] = set()

        def visit(old_id: str) -> None:
            if old_id in done:
                return
            assert old_id not in visiting, f"reference cycle through {old_id}"
            visiting.add(old_id)
            doc = self.documents[old_id]
            for dep in sorted(doc.deps - doc.soft_deps):
                visit(dep)
            visiting.discard(old_id)
            done.add(old_id)
            order.append(doc)

        for old_id in sorted(self.documents):
            visit(old_id)
        return order


def read(tenant: str, directory: Path) -> Library:
    """Extract the tarball into ``directory`` and move every document under ``tenant``."""
    with tarfile.open(tarball()) as tar:
        tar.extractall(directory, filter="data")
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(directory.glob("components/**/*.schema.json")):
        found.append((path.relative_to(directory).as_posix(), json.loads(path.read_text())))
    standard = {d["$id"]: d for p, d in found if p.split("/")[1] in STANDARD_DIRS}
    documents: dict[str, Document] = {}
    for path, original in found:
        kind = path.split("/")[1]
        if kind in STANDARD_DIRS:
            continue
        segment = SEGMENT_OF_DIR[kind]
        old_id = original["$id"]
        assert old_id not in documents, f"two documents with the id {old_id}"
        new_id = f"https://ns.adobe.com/{tenant}/{segment}/{name_of(old_id)}"
        documents[old_id] = Document(path, original, TYPE_OF_SEGMENT[segment], old_id, new_id)
    id_map = {old: d.new_id for old, d in documents.items()}
    assert len(set(id_map.values())) == len(id_map), "two documents with one name"
    for doc in documents.values():
        doc.definition = move(doc.original, id_map)
        for where, uri in named(doc.original):
            base = split(uri)[0]
            if base in documents and base != doc.old_id:
                doc.deps.add(base)
                if where == "meta:intendedToExtend":
                    doc.soft_deps.add(base)
    # A dependency named both ways is a hard one.
    for doc in documents.values():
        hard = {split(u)[0] for w, u in named(doc.original) if w != "meta:intendedToExtend"}
        doc.soft_deps -= hard
    return Library(tenant, documents, id_map, standard)
