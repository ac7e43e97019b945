"""Bulk loading: ``POST /data/foundation/registry/objects:batch`` (sandbox from
``x-sandbox-name``).

The body is a JSON array of ``{"type", "definition"}`` items, or the same items as NDJSON
lines (``Content-Type: application/x-ndjson``), parsed one line at a time as the service
consumes them; the service writes them in chunks, so a definition is held from its parsing
until its chunk is written (an array is parsed whole, and each item let go as it is taken).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request

from sandbox_tooling.api.deps import CurrentPrincipal, RuntimeDep, SandboxName, SessionDep
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.batch import service as batch_service
from sandbox_tooling.batch.errors import BatchBodyInvalid
from sandbox_tooling.batch.schemas import BatchItem, BatchRead
from sandbox_tooling.batch.service import Malformed

router = api_router("/data/foundation/registry", "registry")

#: Content types read as one JSON document per line.
NDJSON_MARKERS = ("ndjson", "jsonl", "json-lines", "jsonlines")
_CONTENT = re.compile(rb"\S")


class RawBatch:
    """The request body as received, and how to read it."""

    def __init__(self, body: bytes, lines: bool) -> None:
        self.body, self.lines = body, lines

    def items(self) -> Iterator[tuple[int, Any]]:
        """``(index, item)`` in request order; a malformed NDJSON line is a ``Malformed``
        item (reported with the others), a malformed array the whole body's error."""
        if not _CONTENT.search(self.body):
            raise BatchBodyInvalid(
                'body: required (a JSON array of {"type", "definition"} objects, or NDJSON)'
            )
        return self._lines() if self.lines else self._array()

    def _array(self) -> Iterator[tuple[int, Any]]:
        # A generator: the body is parsed when the service starts reading it.
        try:
            data = orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise BatchBodyInvalid(f"body: malformed JSON: {exc}") from None
        if not isinstance(data, list):
            raise BatchBodyInvalid(
                'body: must be a JSON array of {"type", "definition"} objects '
                "(or NDJSON lines with Content-Type: application/x-ndjson)"
            )
        for i in range(len(data)):  # each item let go by the list as it is handed out
            item, data[i] = data[i], None
            yield i, item

    def _lines(self) -> Iterator[tuple[int, Any]]:
        body, view = self.body, memoryview(self.body)
        start, line_no, index = 0, 0, 0
        while start < len(body):
            end = body.find(b"\n", start)
            if end < 0:
                end = len(body)
            first, start = start, end + 1
            line_no += 1
            if not _CONTENT.search(body, first, end):  # a blank line
                continue
            try:
                item: Any = orjson.loads(view[first:end])
            except orjson.JSONDecodeError as exc:
                item = Malformed(f"line {line_no}: malformed JSON: {exc}")
            yield index, item
            index += 1


async def raw_batch(request: Request) -> RawBatch:
    """Collect the body (the body guard has already bounded it by ``SBX_MAX_BODY_BYTES``)."""
    ctype = request.headers.get("content-type", "").lower()
    chunks = [chunk async for chunk in request.stream()]
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    return RawBatch(body, any(m in ctype for m in NDJSON_MARKERS))


_ITEM_SCHEMA = BatchItem.model_json_schema()


@router.post(
    "/objects:batch",
    status_code=201,
    response_model=BatchRead,
    responses=errors(404, 409),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": _ITEM_SCHEMA}},
                "application/x-ndjson": {
                    "schema": {"type": "string", "description": "One item per line."}
                },
            },
        }
    },
)
def load_batch(
    session: SessionDep,
    rt: RuntimeDep,
    principal: CurrentPrincipal,
    sandbox_name: SandboxName,
    raw: Annotated[RawBatch, Depends(raw_batch)],
) -> BatchRead:
    """Create many objects of mixed types, in any order, in one transaction (all or nothing).

    Objects are ordered by their references; an invalid object or a dangling reference is
    400, an id that exists already 409, each listed in ``errors`` with its index, id, type,
    JSON path and reason (the first 100; the detail counts them all)."""
    stored = batch_service.load(session, rt, principal, sandbox_name, raw.items())
    session.commit()
    return BatchRead.of(stored)
