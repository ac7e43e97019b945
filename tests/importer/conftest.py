"""Importer fixtures: the tests' world in ``prod`` and an empty ``dev`` to import into."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.helpers import Api, sandbox


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    ids = f.seed_world(api)
    sandbox(api, "dev")
    return ids
