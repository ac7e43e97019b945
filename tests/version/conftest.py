"""Version fixtures: the tests' world, a ``dev`` sandbox and ``pkg``, a published package of
the schema and its field group (versionable)."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.helpers import Api, package, sandbox


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    ids = f.seed_world(api)
    sandbox(api, "dev")
    ids["pkg"] = package(api, [("REGISTRY_SCHEMA", ids["schema"]), ("REGISTRY_MIXIN", ids["fg"])])
    return ids
