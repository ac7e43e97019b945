"""Jinja2 rendering of console pages: one environment, a few filters, the layout's context."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sandbox_tooling import __version__
from sandbox_tooling.web.context import PREFIX, Console, cookie_of
from sandbox_tooling.web.graph import TYPE_COLORS

TEMPLATES = Path(__file__).parent / "templates"

NAV = (
    ("sandboxes", "Sandboxes"),
    ("objects", "Objects"),
    ("packages", "Packages"),
    ("jobs", "Jobs"),
    ("partners", "Partner orgs"),
)


def _when(ms: int | None) -> str:
    if not ms:
        return "—"
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _pretty(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()


def ucfirst(text: str) -> str:
    """The first letter upper-cased, the rest kept ("XDM schema", not "Xdm schema")."""
    return text[:1].upper() + text[1:]


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _query(base: str, **params: Any) -> str:
    """A URL with the non-empty parameters (repeated for lists)."""
    pairs: list[tuple[str, Any]] = []
    for key, value in params.items():
        if isinstance(value, list | tuple):
            pairs.extend((key, v) for v in value)
        elif value not in (None, ""):
            pairs.append((key, value))
    return base + ("?" + urlencode(pairs) if pairs else "")


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["when"] = _when
ENV.filters["pretty"] = _pretty
ENV.filters["number"] = _number
ENV.filters["ucfirst"] = ucfirst
ENV.globals["P"] = PREFIX
ENV.globals["url"] = _query
ENV.globals["version"] = __version__
ENV.globals["NAV"] = NAV
ENV.globals["TYPE_COLORS"] = TYPE_COLORS


def page(
    console: Console, template: str, *, active: str = "", http_status: int = 200, **context: Any
) -> HTMLResponse:
    """A full page in the layout (header, navigation, sandbox switcher, flash messages)."""
    from sandbox_tooling.sandbox import service as sandbox_service

    sandboxes, _total = sandbox_service.list_usable(console.session, console.principal, 100, 0)
    current = console.sandbox().name
    html = ENV.get_template(template).render(
        c=console,
        me=console.principal,
        csrf=console.csrf,
        active=active,
        current_sandbox=current,
        sandboxes=sandboxes,
        flashes=console.take_flashes(),
        request=console.request,
        **context,
    )
    return HTMLResponse(html, status_code=http_status)


def fragment(
    console: Console, template: str, *, http_status: int = 200, **context: Any
) -> HTMLResponse:
    """A part of a page (an htmx swap): no layout."""
    html = ENV.get_template(template).render(
        c=console, me=console.principal, csrf=console.csrf, request=console.request, **context
    )
    return HTMLResponse(html, status_code=http_status)


def bare(
    request: Request, template: str, *, http_status: int = 200, **context: Any
) -> HTMLResponse:
    """A page without a signed-in user (sign-in, errors)."""
    cookie = cookie_of(request)
    html = ENV.get_template(template).render(
        csrf=cookie.csrf_token(), request=request, c=None, me=None, **context
    )
    return HTMLResponse(html, status_code=http_status)
