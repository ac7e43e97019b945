"""Sharing fixtures: a third org, ``charlie``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sandbox_tooling.runtime import Runtime as AppState
from tests.helpers import Api, make_api
from tests.sharing.helpers import ORG_C


@pytest.fixture
def api_c(client: TestClient, state: AppState) -> Api:
    return make_api(client, state, ORG_C, "charlie")
