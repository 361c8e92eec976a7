"""The /docs page's content (pure): the OpenAPI schema flattened into endpoints and parameters.

FastAPI's own docs page loads Swagger UI from a CDN; this one renders the schema server-side
so the docs work offline.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "METHODS",
    "operations",
    "type_name",
]

METHODS = ("get", "post", "put", "patch", "delete")


def type_name(schema: dict[str, Any]) -> str:
    """A short type for a parameter schema: string, integer, string | null, enum values …"""
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " | ".join(type_name(s) for s in schema["anyOf"])
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    return str(schema.get("type", "any"))


def _parameter(param: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    schema = param.get("schema", {})
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], schema)
    return {
        "name": param.get("name", ""),
        "where": param.get("in", ""),
        "type": type_name(schema),
        "required": bool(param.get("required")),
        "description": param.get("description") or schema.get("description") or "",
    }


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation in path order: method, path, summary, parameters, bodies, responses."""
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {})
            responses = [
                (str(code), str(resp.get("description", "")))
                for code, resp in sorted(op.get("responses", {}).items())
            ]
            found.append(
                {
                    "method": method,
                    "path": path,
                    "anchor": f"{method}-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}",
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [_parameter(p, components) for p in op.get("parameters", [])],
                    "body": list(body),
                    "responses": responses,
                }
            )
    return found
