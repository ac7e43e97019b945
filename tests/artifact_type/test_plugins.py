"""The plugin registry: third-party types register like the built-ins; duplicates and
unsupported core versions are refused."""

from __future__ import annotations

import pytest

from sandbox_tooling.artifact_type.builtin import BUILTIN_TYPES
from sandbox_tooling.artifact_type.plugins import ArtifactTypes, hookimpl, load_types
from sandbox_tooling.artifact_type.spec import ArtifactType, DefinitionModel, TypeContext


class Widget(ArtifactType):
    name = "THIRD_PARTY_WIDGET"
    label = "widget"
    properties_model = DefinitionModel
    resource = "Widget"

    def new_id(self, ctx: TypeContext) -> str:
        return "w1"


class WidgetPlugin:
    @hookimpl
    def register_artifact_types(self) -> list[type[ArtifactType]]:
        return [Widget]


def test_third_party_plugin_registers_like_builtins() -> None:
    reg = load_types([WidgetPlugin()])
    assert "THIRD_PARTY_WIDGET" in reg and "REGISTRY_SCHEMA" in reg


def test_duplicates_and_unsupported_core_are_refused() -> None:
    with pytest.raises(RuntimeError, match="twice"):
        ArtifactTypes([*BUILTIN_TYPES, BUILTIN_TYPES[0]])

    class Old(Widget):
        core_api = (0,)

    with pytest.raises(RuntimeError, match="core API"):
        ArtifactTypes([Old])
