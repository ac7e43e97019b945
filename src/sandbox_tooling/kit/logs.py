"""Structured JSON logs (structlog), one line per event, for sbx and the libraries it uses.

Every line carries what the context has bound: ``request_id`` on the lines of a request,
``job_id`` on the lines of a job (``structlog.contextvars``, which FastAPI's thread pool and
the job runner's threads inherit). Values that look secret are replaced before a line is
written: keys such as ``authorization``, ``token``, ``secret``, ``password``, and in any text
bearer tokens, sbx client secrets and access tokens.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import orjson
import structlog

REDACTED = "[redacted]"
_SECRET_KEY = re.compile(
    r"authorization|token|secret|password|passwd|pwd|api[-_]?key|cookie|credential",
    re.IGNORECASE,
)
_SECRET_TEXT = re.compile(
    r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]+"  # Authorization: Bearer …
    r"|eyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]+)*"  # sbx access tokens and JWTs
    r"|p8e-[A-Za-z0-9_-]{10,}"  # sbx client secrets
)


def scrub(value: Any) -> Any:
    """``value`` with every secret-looking part replaced (recursively)."""
    if isinstance(value, str):
        return _SECRET_TEXT.sub(REDACTED, value)
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else scrub(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _redact(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key in ("event", "exception"):
            event[key] = scrub(event[key])
        elif _SECRET_KEY.search(key) and key not in ("request_id",):
            event[key] = REDACTED
        else:
            event[key] = scrub(event[key])
    return event


_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _dumps(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()


def configure(level: str = "INFO") -> None:
    """JSON lines on standard error for structlog and the standard library's loggers
    (uvicorn, SQLAlchemy, Alembic...)."""
    structlog.configure(
        processors=[
            *_SHARED,
            structlog.processors.format_exc_info,
            _redact,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # sbx's own lines were redacted by the chain above; the libraries' lines ("foreign")
    # are, by their pre-chain. One JSON encoding (orjson) for both.
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.processors.format_exc_info, _redact],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def get(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
