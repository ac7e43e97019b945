"""Console fixtures: a signed-in TestClient, and for the browser tests a real server on a free
port and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from sandbox_tooling.api.app import create_app
from sandbox_tooling.config import Settings
from sandbox_tooling.runtime import Runtime
from tests.helpers import Api
from tests.web.helpers import set_password, sign_in

CHROMIUM = os.environ.get("SBX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def console(client: TestClient, api: Api, state: Runtime) -> TestClient:
    """``client`` signed in to the console as ``api``'s user (an admin of org A)."""
    set_password(state, api.org_id, api.user_id)
    r = sign_in(client, api.user_id)
    assert r.status_code == 303, r.text
    return client


# -- browser tests ------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The real app under uvicorn in a thread (its job runner starts with it)."""

    def __init__(self, settings: Settings, state: Runtime) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings, state), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the console server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def server(settings: Settings, state: Runtime) -> Iterator[Server]:
    with Server(settings, state) as s:
        yield s


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"chromium is not installed at {CHROMIUM} (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15_000)
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    yield p
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


SHOTS = Path(os.environ.get("SBX_SCREENSHOTS", "")) if os.environ.get("SBX_SCREENSHOTS") else None


@pytest.fixture
def shot(tmp_path: Path) -> Any:
    """``shot(page, name)``: a full-page PNG, into ``$SBX_SCREENSHOTS`` when set (the docs'
    screenshots: ``SBX_SCREENSHOTS=docs/console``), else the test's temp dir."""
    where = SHOTS or tmp_path

    def take(page: Any, name: str, full_page: bool = True) -> Path:
        where.mkdir(parents=True, exist_ok=True)
        path = where / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
