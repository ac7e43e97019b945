"""Package fixtures: the tests' world in ``prod`` and a draft package of two roots."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.helpers import Api
from tests.package.helpers import make_package


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    return f.seed_world(api)


@pytest.fixture
def pkg(api: Api, world: dict[str, str]) -> dict:
    return make_package(
        api,
        [
            {"id": world["journey"], "type": "JOURNEY"},
            {"id": world["ds"], "type": "CATALOG_DATASET"},
        ],
    )
