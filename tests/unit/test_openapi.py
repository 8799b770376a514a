"""The OpenAPI document says what the service does (issue 17), checked piece by piece.

The schema fuzz (tests/guards/test_api_fuzz.py) finds disagreements by sending requests;
these say each promise directly and fast: what the document accepts, the service accepts,
and the other way round. Schemas are checked with jsonschema_rs, the validator schemathesis
itself uses.
"""

from typing import Any

import jsonschema_rs
import pytest
from pydantic import ValidationError

from app.main import create_app
from app.schemas import CounterBatch, UserUpdate
from app.settings import Settings
from app.tenancy import TENANT_HEADER, TenantMalformed, TenantMissing, parse_tenant_slug

OFFLINE: dict[str, Any] = {
    "database_url": "postgresql://unused@127.0.0.1:1/unused",
    "jwt_secret": "x" * 32,
}
# Routes that name no tenant: the health checks and signing out.
NO_TENANT = {("get", "/health"), ("get", "/health/ready"), ("post", "/auth/logout")}


def _document(**settings: Any) -> dict[str, Any]:
    return create_app(Settings(**OFFLINE, **settings)).openapi()


DOC = _document()


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): op for path, item in doc["paths"].items() for method, op in item.items()
    }


def _tenant_header(operation: dict[str, Any]) -> dict[str, Any] | None:
    headers = [p for p in operation.get("parameters", []) if p["name"] == TENANT_HEADER]
    return headers[0] if headers else None


def test_every_route_that_names_a_tenant_documents_the_header_as_required() -> None:
    for key, operation in _operations(DOC).items():
        header = _tenant_header(operation)
        if key in NO_TENANT:
            assert header is None, key
            continue
        assert header is not None and header["required"] is True, key
        assert "400" in operation["responses"], f"{key}: tenant_missing / tenant_malformed"


@pytest.mark.parametrize(
    "raw", ["acme", "globex-2", "a", "x" * 63, "", "ACME", "-acme", "acme-", "x" * 64, "ácme"]
)
def test_the_documented_slug_is_what_the_service_accepts(raw: str) -> None:
    header = _tenant_header(DOC["paths"]["/users"]["get"])
    assert header is not None
    documented = jsonschema_rs.validator_for(header["schema"]).is_valid(raw)
    try:
        parse_tenant_slug(raw)
        accepted = True
    except (TenantMissing, TenantMalformed):
        accepted = False
    assert documented == accepted, f"{raw!r}: document {documented}, service {accepted}"


PARTIAL_UPDATES: list[dict[str, Any]] = [
    {"role": "admin"},
    {"name": "Ann", "email": "ann@example.com"},
    {},
    {"name": None},
    {"email": None, "name": "Ann"},
    {"role": None},
]


@pytest.mark.parametrize("body", PARTIAL_UPDATES)
def test_a_partial_update_is_documented_as_the_service_reads_it(body: dict[str, Any]) -> None:
    schema = DOC["components"]["schemas"]["UserUpdate"]
    documented = jsonschema_rs.validator_for(schema).is_valid(body)
    try:
        UserUpdate.model_validate(body)
        accepted = True
    except ValidationError:
        accepted = False
    assert documented == accepted, f"{body}: document {documented}, service {accepted}"


@pytest.mark.parametrize("names", [["visits"], ["visits", "orders"], ["visits", "visits"]])
def test_a_batch_is_documented_as_the_service_reads_it(names: list[str]) -> None:
    schema = DOC["components"]["schemas"]["CounterBatch"]
    documented = jsonschema_rs.validator_for(schema).is_valid({"names": names})
    try:
        CounterBatch.model_validate({"names": names})
        accepted = True
    except ValidationError:
        accepted = False
    assert documented == accepted, f"{names}: document {documented}, service {accepted}"


@pytest.mark.parametrize("largest", [100, 7])
def test_the_largest_page_is_documented_from_the_settings(largest: int) -> None:
    doc = _document(page_size_max=largest)
    for path in ("/users", "/api-keys"):
        (limit,) = [p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == "limit"]
        maxima = [branch.get("maximum") for branch in limit["schema"]["anyOf"]]
        assert largest in maxima, f"{path}: {limit['schema']}"


def _resolve(pointer: str) -> dict[str, Any]:
    parts = pointer.removeprefix("#/").split("/")
    node: Any = DOC
    for part in parts:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    assert isinstance(node, dict)
    return node


def test_every_link_names_an_operation_and_a_field_of_the_answer() -> None:
    links = [
        (key, status, name, link)
        for key, operation in _operations(DOC).items()
        for status, response in operation["responses"].items()
        for name, link in response.get("links", {}).items()
    ]
    assert {name for *_, name, _ in links} >= {"GetUser", "DeleteUser", "RevokeApiKey"}
    for key, status, name, link in links:
        target = _resolve(link["operationRef"])
        path_parameters = {p["name"] for p in target["parameters"] if p["in"] == "path"}
        assert set(link["parameters"]) == path_parameters, (key, name)
        answer = _resolve(
            DOC["paths"][key[1]][key[0]]["responses"][status]["content"]["application/json"][
                "schema"
            ]["$ref"]
        )
        for expression in link["parameters"].values():
            field = expression.removeprefix("$response.body#/").split("/")[0]
            assert field in answer["properties"], (key, name, expression)
