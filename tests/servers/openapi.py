"""Check an HTTP request against one operation of an OpenAPI 3.0 document (the X subset).

What is checked, as X's front end does: the path and method exist; an accepted credential kind is present
(``Authorization: OAuth …`` for OAuth 1.0a user context, ``Bearer …`` for OAuth 2.0); path and query
parameters exist and match their schemas (unknown query parameters are refused); a required body is
present, has a declared content type and matches its schema (``additionalProperties: false`` included).
Schemas are checked with jsonschema's Draft 4 validator, which is what OpenAPI 3.0's schema dialect
is based on; ``$ref``s resolve inside the document.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import jsonschema

from .base import Request, Upload


@dataclass
class Operation:
    template: str
    method: str
    spec: dict[str, Any]
    path_params: dict[str, str]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", ""))


@dataclass
class Invalid(Exception):
    message: str
    parameter: str | None = None
    value: Any = None


class OpenAPI:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self._routes: list[tuple[re.Pattern[str], str]] = []
        for template in doc["paths"]:
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            self._routes.append((re.compile(f"^{pattern}$"), template))
        # Most specific first: literal segments beat templated ones (/2/users/me before /2/users/{id}).
        self._routes.sort(key=lambda route: route[1].count("{"))
        self._validators: dict[str, jsonschema.Draft4Validator] = {}

    # --- lookup -------------------------------------------------------------------------
    def find(self, method: str, path: str) -> Operation | None:
        for pattern, template in self._routes:
            match = pattern.match(path)
            if match and method.lower() in self.doc["paths"][template]:
                return Operation(
                    template, method.lower(), self.doc["paths"][template][method.lower()], match.groupdict()
                )
        return None

    def path_exists(self, path: str) -> bool:
        return any(pattern.match(path) for pattern, _ in self._routes)

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.doc
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    def validator(self, schema: dict[str, Any]) -> jsonschema.Draft4Validator:
        key = repr(schema)
        if key not in self._validators:
            self._validators[key] = jsonschema.Draft4Validator({**schema, "components": self.doc["components"]})
        return self._validators[key]

    def check_schema(self, schema: dict[str, Any], value: Any, where: str) -> None:
        errors = sorted(self.validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            err = errors[0]
            at = "/".join(str(p) for p in err.absolute_path)
            raise Invalid(f"{where}{'/' + at if at else ''}: {err.message}", parameter=at or where, value=err.instance)

    # --- the checks ------------------------------------------------------------------------
    def credential_kinds(self, op: Operation) -> set[str]:
        return {name for requirement in op.spec.get("security", []) for name in requirement}

    def check_parameters(self, op: Operation, request: Request) -> dict[str, Any]:
        """Validated query and path parameters, arrays split on commas (style form, explode false)."""
        params = [self.resolve(p) for p in op.spec.get("parameters", [])]
        declared_query = {p["name"] for p in params if p["in"] == "query"}
        for name in request.query:
            if name not in declared_query:
                allowed = ",".join(sorted(declared_query)) or "(none)"
                raise Invalid(f"The query parameter [{name}] is not one of [{allowed}]", parameter=name)
        values: dict[str, Any] = {}
        for p in params:
            name, where = p["name"], p["in"]
            if where == "path":
                raw: str | None = op.path_params.get(name)
            elif where == "query":
                found = request.query.get(name)
                if found and len(found) > 1:
                    raise Invalid(f"Duplicate parameters are not allowed: the `{name}` query parameter", parameter=name)
                raw = found[0] if found else None
            else:
                continue
            if raw is None:
                if p.get("required"):
                    raise Invalid(f"The `{name}` {where} parameter is missing", parameter=name)
                continue
            schema = self.resolve(p.get("schema", {}))
            value = _coerce(raw, schema)
            self.check_schema(p.get("schema", {}), value, name)
            values[name] = value
        return values

    def check_body(self, op: Operation, request: Request) -> Any:
        """The body as the operation's schema sees it: JSON, or multipart fields (files as Upload)."""
        body_spec = self.resolve(op.spec.get("requestBody"))
        if not body_spec:
            return None
        if not request.body:
            if body_spec.get("required"):
                raise Invalid("A request body is required for this endpoint", parameter="body")
            return None
        content = body_spec.get("content", {})
        ctype = request.content_type
        if ctype not in content:
            raise Invalid(
                f"Content-Type {ctype or '(none)'} is not one of [{', '.join(content)}]", parameter="Content-Type"
            )
        schema = content[ctype].get("schema", {})
        if ctype == "application/json":
            try:
                value = request.json()
            except (ValueError, UnicodeDecodeError):
                raise Invalid("Request body is not valid JSON", parameter="body") from None
            self.check_schema(schema, value, "body")
            return value
        if ctype == "multipart/form-data":
            try:
                fields = request.multipart()
            except ValueError as exc:
                raise Invalid(f"Malformed multipart body: {exc}", parameter="body") from None
            value = {}
            for name, items in fields.items():
                if len(items) > 1:
                    raise Invalid(f"Duplicate form field {name!r}", parameter=name)
                value[name] = items[0]
            # jsonschema sees files as strings (format: binary); the caller keeps the Upload objects.
            self.check_schema(schema, {k: _as_schema_value(v) for k, v in value.items()}, "body")
            return value
        raise Invalid(f"Content-Type {ctype} is not supported by this fake", parameter="Content-Type")

    def check_response(self, op: Operation, status: int, body: Any) -> None:
        """The fake's own answers must match the spec too: a bug here fails the test loudly."""
        responses = op.spec.get("responses", {})
        spec = responses.get(str(status)) or responses.get("default")
        if not spec or body is None:
            return
        schema = spec.get("content", {}).get("application/json", {}).get("schema")
        if schema:
            errors = list(self.validator(schema).iter_errors(body))
            if errors:
                raise AssertionError(f"fake X answered off-spec for {op.operation_id}: {errors[0].message}")


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "array":
        return [_coerce(item, schema.get("items", {})) for item in raw.split(",")]
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def _as_schema_value(value: Upload | str) -> str:
    if isinstance(value, Upload):
        return base64.b64encode(value.data[:16]).decode("ascii")
    return value
