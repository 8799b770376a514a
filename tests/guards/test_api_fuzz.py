"""Property-based fuzz of the whole OpenAPI schema with schemathesis.

Every operation gets generated requests, valid and invalid by the schema, bounded in
examples and derandomised (the same cases on every run, so CI does not flake). The
service must never answer 5xx, and every answer must match what the schema promises
(status, content type, headers, body). Half of the cases carry a tenant that exists and
an admin API key of it, so the fuzz reaches past the tenant and credential checks into
the routes and the database.

The app runs against the suite's real database with committed data (schemathesis
calls it from its own client; per-request sessions from the real engine), with the
e-mail provider mocked at the edge; every row is removed afterwards.
"""

from collections.abc import Iterator
from itertools import count

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.main import create_app
from app.outbound.email import get_email_provider
from app.settings import Settings
from app.tenancy import TENANT_HEADER
from harness import email_provider as provider_mock
from harness.auth import api_key
from harness.factories import ApiKeyFactory, TenantFactory, UserFactory

MAX_EXAMPLES = 40  # per operation and phase
TENANT = "acme"
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
GENERATED: dict[str, int] = {}
_alternate = count()


@pytest.fixture(scope="module", autouse=True)
def report_generated_cases() -> Iterator[None]:
    yield
    total = sum(GENERATED.values())
    print(f"\nschemathesis generated {total} cases: {dict(sorted(GENERATED.items()))}")


@pytest.fixture
def admin_key(db_session: Session) -> str:
    """An admin API key of Acme, so signed-in cases reach past authentication."""
    tenant = TenantFactory(slug=TENANT, name="Acme", seat_limit=1000)
    UserFactory.create_batch(3, tenant_id=tenant.id)
    key = api_keys.new_key()
    ApiKeyFactory(tenant_id=tenant.id, key=key, role="admin")
    return key


@pytest.fixture
def fuzzed_app(service_settings: Settings, admin_key: str) -> Iterator[FastAPI]:
    app = create_app(service_settings)
    outbound = provider_mock.provider_for(provider_mock.accepting_router())
    app.dependency_overrides[get_email_provider] = lambda: outbound
    yield app
    app.dependency_overrides.clear()
    outbound.close()
    app.state.engine.dispose()  # schemathesis's client does not run the lifespan


# The schema is read from an app that never touches a database; the cases are sent to
# the scenario's `fuzzed_app`. (schemathesis's fixture-based loader sets a private
# attribute of pytest's nodes that pytest 9 no longer has.)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(
        Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
    ),
)


@pytest.mark.committed_data
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_gets_a_5xx_or_an_answer_outside_the_schema(
    case: schemathesis.Case, fuzzed_app: FastAPI, admin_key: str
) -> None:
    if not case.path.startswith("/health") and next(_alternate) % 2 == 0:
        # Half the cases act as Acme's admin; the other half test the refusals.
        case.headers.update({TENANT_HEADER: TENANT, **api_key(admin_key)})
    GENERATED[case.operation.label] = GENERATED.get(case.operation.label, 0) + 1
    case.call_and_validate(checks=CHECKS, app=fuzzed_app)
