"""The OpenAPI description: FastAPI's, made exact where only the running service knows the
answer (the artifact types its plugins provide, the page size limit), and without the 422
answers FastAPI adds to every route (sbx answers invalid input with 400 and the problem
body, declared per route)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi


def contract(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        _refine(spec, app)
        schemas = spec.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = spec
    return app.openapi_schema


#: A sandbox name (sandbox/service.py checks the same form).
SANDBOX_NAME = "^[a-z0-9](?:[a-z0-9-]{0,253}[a-z0-9])?$"


def _refine(spec: dict[str, Any], app: FastAPI) -> None:
    rt = app.state.sbx
    type_names = rt.types.names()
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                schema = param.setdefault("schema", {})
                name = param.get("name")
                if name == "type_name":
                    schema["enum"] = type_names
                elif name == "name" and param.get("in") == "path" and "sandbox" in path:
                    schema["pattern"] = SANDBOX_NAME
                elif name == "targetSandbox":
                    param["required"] = True
                    param["schema"] = {"type": "string", "pattern": SANDBOX_NAME}
                elif name == "limit" and param.get("in") == "query":
                    schema["maximum"] = rt.settings.max_page_size
    token = spec["paths"]["/ims/token/v3"]["post"]["requestBody"]["content"]
    ref = token["application/x-www-form-urlencoded"]["schema"]["$ref"].rsplit("/", 1)[1]
    form = spec["components"]["schemas"][ref]
    # The fields are optional in the code only so that a missing one gets the OAuth error.
    form["required"] = ["grant_type", "client_id", "client_secret"]
    form["properties"]["grant_type"] = {"type": "string", "enum": ["client_credentials"]}
    for name in ("client_id", "client_secret"):
        form["properties"][name] = {"type": "string", "minLength": 1}
