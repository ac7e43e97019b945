"""The built-in artifact types, registered through the ``sandbox_tooling.artifact_types``
entry-point group exactly like a third-party plugin."""

from __future__ import annotations

from sandbox_tooling.artifact_type.builtin.catalog import DatasetType
from sandbox_tooling.artifact_type.builtin.flow import FlowType, MappingSetType
from sandbox_tooling.artifact_type.builtin.identity import NamespaceType
from sandbox_tooling.artifact_type.builtin.journey import JourneyType
from sandbox_tooling.artifact_type.builtin.policy import ConsentPolicyType
from sandbox_tooling.artifact_type.builtin.profile import AudienceType, MergePolicyType
from sandbox_tooling.artifact_type.builtin.xdm import (
    ClassType,
    DataTypeType,
    DescriptorType,
    MixinType,
    SchemaType,
)
from sandbox_tooling.artifact_type.plugins import hookimpl
from sandbox_tooling.artifact_type.spec import ArtifactType

BUILTIN_TYPES: list[type[ArtifactType]] = [
    JourneyType,
    NamespaceType,
    DataTypeType,
    ClassType,
    MixinType,
    SchemaType,
    DatasetType,
    ConsentPolicyType,
    AudienceType,
    FlowType,
    MappingSetType,
    MergePolicyType,
    DescriptorType,
]


@hookimpl
def register_artifact_types() -> list[type[ArtifactType]]:
    return list(BUILTIN_TYPES)
