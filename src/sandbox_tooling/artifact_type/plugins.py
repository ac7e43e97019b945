"""The artifact-type registry, filled through the pluggy hook ``register_artifact_types``.

Built-in types and third-party ones are discovered the same way: through the entry-point
group ``sandbox_tooling.artifact_types``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pluggy

from sandbox_tooling.artifact_type.spec import CORE_API, ArtifactType, UnknownArtifactType

PROJECT = "sandbox_tooling"
ENTRY_POINT_GROUP = "sandbox_tooling.artifact_types"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class ArtifactTypeHooks:
    @hookspec
    def register_artifact_types(self) -> list[type[ArtifactType]]:  # type: ignore[empty-body]
        """Return the artifact type classes this plugin provides."""


class ArtifactTypes:
    """Name to type instance, built once; duplicates and unsupported plugins are refused."""

    def __init__(self, types: Iterable[type[ArtifactType]]) -> None:
        self._types: dict[str, ArtifactType] = {}
        for cls in types:
            if CORE_API not in cls.core_api:
                raise RuntimeError(
                    f"artifact type {cls.name} supports core API {cls.core_api}, not {CORE_API}"
                )
            if cls.name in self._types:
                raise RuntimeError(f"artifact type {cls.name} is registered twice")
            self._types[cls.name] = cls()
        if not self._types:
            raise RuntimeError(
                f"no artifact types registered (entry-point group {ENTRY_POINT_GROUP}); "
                "is the sandbox-tooling package installed?"
            )

    def get(self, name: str) -> ArtifactType:
        try:
            return self._types[name]
        except KeyError:
            raise UnknownArtifactType(
                f"unknown artifact type '{name}'; known types: {', '.join(sorted(self._types))}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return sorted(self._types)

    def all(self) -> list[ArtifactType]:
        return [self._types[n] for n in sorted(self._types)]


def load_types(extra_plugins: Iterable[object] = ()) -> ArtifactTypes:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(ArtifactTypeHooks)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    types: list[type[ArtifactType]] = []
    for batch in pm.hook.register_artifact_types():
        types.extend(batch)
    return ArtifactTypes(types)


@lru_cache
def default_types() -> ArtifactTypes:
    return load_types()
