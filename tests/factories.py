"""Realistic object definitions for tests: the builders and worlds of ``sandbox_tooling.fixtures``
(shared with the demo), and ``seed_world`` to create the tests' world through the API."""

from __future__ import annotations

from typing import Any

from sandbox_tooling.fixtures import seed
from sandbox_tooling.fixtures.builders import (
    EVENT,
    PROFILE,
    audience,
    consent_policy,
    dataset,
    datatype,
    field_group,
    flow,
    identity_descriptor,
    journey,
    mapping_set,
    merge_policy,
    namespace,
    relationship,
    schema,
    xdm_class,
)
from sandbox_tooling.fixtures.data import JOURNEY_CLOSURE, TEST_WORLD

__all__ = [
    "EVENT",
    "JOURNEY_CLOSURE",
    "PROFILE",
    "TEST_WORLD",
    "audience",
    "consent_policy",
    "dataset",
    "datatype",
    "field_group",
    "flow",
    "identity_descriptor",
    "journey",
    "mapping_set",
    "merge_policy",
    "namespace",
    "relationship",
    "schema",
    "seed_world",
    "xdm_class",
]


def seed_world(api: Any, sandbox: str = "prod") -> dict[str, str]:
    """``TEST_WORLD`` created in ``sandbox`` through ``api`` (a ``tests.helpers.Api``): one
    object of every built-in type, wired together as on the platform; the ids by key."""
    return seed(TEST_WORLD, api.tenant, lambda type_name, d: api.create(type_name, d, sandbox))
