"""Form posts: do the work, commit, submit jobs after the commit, flash the outcome and
redirect (post/redirect/get). A service's error is flashed with its message on the page the
form came from; a refusal (403) is the forbidden page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from sandbox_tooling.errors import AppError, Forbidden
from sandbox_tooling.web.context import Console


@dataclass
class Done:
    message: str | None = None
    redirect: str | None = None
    jobs: Sequence[str] = field(default_factory=tuple)


def run(c: Console, back: str, work: Callable[[], Done]) -> RedirectResponse:
    try:
        done = work()
    except Forbidden:
        c.session.rollback()
        raise
    except AppError as exc:
        c.session.rollback()
        c.flash("error", f"{type(exc).__name__}: {exc.detail}")
        return RedirectResponse(back, status_code=303)
    except ValidationError as exc:  # a request model built from the form
        c.session.rollback()
        c.flash("error", "ValidationFailed: " + field_errors(exc))
        return RedirectResponse(back, status_code=303)
    c.session.commit()
    for job_id in done.jobs:
        c.rt.jobs.submit(job_id)
    if done.message:
        c.flash("success", done.message)
    return RedirectResponse(done.redirect or back, status_code=303)


def text(form: object, name: str, default: str = "") -> str:
    """A form field as text (absent or a file: ``default``)."""
    get = getattr(form, "get")  # noqa: B009 - FormData and dicts alike
    value = get(name)
    return value if isinstance(value, str) else default


def texts(form: object, name: str) -> list[str]:
    getlist = getattr(form, "getlist")  # noqa: B009
    return [v for v in getlist(name) if isinstance(v, str)]


def field_errors(exc: ValidationError) -> str:
    """A request model's errors, named by field (``name: String should have at least 1
    character``)."""
    return "; ".join(
        ".".join(str(p) for p in err["loc"]) + ": " + err["msg"]
        for err in exc.errors(include_url=False)
    )
