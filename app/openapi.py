"""What the OpenAPI document says beyond what FastAPI infers from the routes.

Clients and contract tests are generated from the document, so it must promise exactly what
the service does (issue 17; `tests/guards/test_api_fuzz.py` holds the two to each other):
- the `X-Tenant-ID` header is read inside `tenant_scope` (and by sign-in), after the
  credentials, so that a caller without credentials gets 401 whatever the header; FastAPI
  therefore sees an optional string. Here every operation that reads it documents it as
  required, with the slug's pattern and length, and its two 400 answers;
- the largest page comes from the settings (APP_PAGE_SIZE_MAX), so `limit` gets its
  maximum here, from the settings of the app that serves the document;
- links (OpenAPI 3.1, 4.8.20) say which answer feeds which later request (a created user's
  id names that user in the next one), so clients and schema-driven tests can chain calls.
"""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI

from app.context import SLUG_PATTERN
from app.tenancy import TENANT_HEADER

JsonObject = dict[str, Any]
ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
SLUG_MAX_LENGTH = 63  # the longest slug SLUG_PATTERN takes: 1 + 61 + 1
TENANT_HEADER_SCHEMA = {
    "type": "string",
    "pattern": SLUG_PATTERN.pattern,
    "minLength": 1,
    "maxLength": SLUG_MAX_LENGTH,
}
TENANT_HEADER_ANSWERS = {
    "description": f"The {TENANT_HEADER} header is missing (`tenant_missing`) or is not a "
    "tenant slug (`tenant_malformed`).",
    "content": ERROR_BODY,
}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def link(method: str, path: str, description: str, **parameters: str) -> JsonObject:
    """An OpenAPI link to the operation `method path`, its parameters taken from the answer.

    `parameters` maps a path parameter of the target to a runtime expression, e.g.
    `user_id="$response.body#/id"`.
    """
    pointer = path.replace("~", "~0").replace("/", "~1")  # a JSON pointer escapes "~" and "/"
    return {
        "operationRef": f"#/paths/{pointer}/{method.lower()}",
        "parameters": parameters,
        "description": description,
    }


def install(app: FastAPI, *, page_size_max: int) -> None:
    """Make `app.openapi()` (and /openapi.json) return the completed document."""
    generate: Callable[[], JsonObject] = app.openapi  # FastAPI's, cached on the app

    def document() -> JsonObject:
        doc = generate()
        for operation in _operations(doc):
            _document_tenant_header(operation)
            _document_page_size(operation, page_size_max)
        return doc  # each step sets values, so completing the cached document again is harmless

    app.openapi = document  # type: ignore[method-assign]  # FastAPI's way to extend the document


def _operations(doc: JsonObject) -> Iterator[JsonObject]:
    for item in doc.get("paths", {}).values():
        yield from (item[method] for method in _METHODS if method in item)


def _document_tenant_header(operation: JsonObject) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header" and parameter["name"] == TENANT_HEADER:
            parameter["required"] = True
            examples = parameter["schema"].get("examples", [])  # from the route's declaration
            parameter["schema"] = {**TENANT_HEADER_SCHEMA, "examples": examples}
            operation["responses"]["400"] = TENANT_HEADER_ANSWERS


def _document_page_size(operation: JsonObject, page_size_max: int) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter["name"] == "limit":
            schema = parameter["schema"]
            for branch in schema.get("anyOf", [schema]):  # `int | None`: the integer branch
                if branch.get("type") == "integer":
                    branch["maximum"] = page_size_max
