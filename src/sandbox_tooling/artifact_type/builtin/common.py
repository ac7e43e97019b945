"""Id formats shared by several built-in types."""

from __future__ import annotations

import re
import uuid

from sandbox_tooling.artifact_type.spec import ArtifactType, TypeContext

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HEX24_RE = re.compile(r"^[0-9a-f]{24}$")
HEX32_RE = re.compile(r"^[0-9a-f]{32}$")


class UuidIdType(ArtifactType):
    """Objects whose native id is a dashed UUID (audiences, merge policies, flows)."""

    def new_id(self, ctx: TypeContext) -> str:
        return str(uuid.uuid4())

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        if not UUID_RE.match(object_id):
            return f"'{object_id}' is not a {self.label} id (a lowercase dashed UUID)"
        return None


class Hex24IdType(ArtifactType):
    """Objects whose native id is 24 hex characters (Catalog datasets, policies)."""

    def new_id(self, ctx: TypeContext) -> str:
        return uuid.uuid4().hex[:24]

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        if not HEX24_RE.match(object_id):
            return f"'{object_id}' is not a {self.label} id (24 lowercase hex characters)"
        return None


class Hex32IdType(ArtifactType):
    """Objects whose native id is 32 hex characters (mapping sets)."""

    def new_id(self, ctx: TypeContext) -> str:
        return uuid.uuid4().hex

    def id_problem(self, object_id: str, ctx: TypeContext) -> str | None:
        if not HEX32_RE.match(object_id):
            return f"'{object_id}' is not a {self.label} id (32 lowercase hex characters)"
        return None
