"""A new endpoint cannot ship without its row in the isolation matrix, nor without a caller.

Every route of the app must either be listed as public here, on purpose, or
appear as a row (method, path) of the matrix outline in tenant_isolation.feature.
Every route not listed as public must answer 401 to a request without credentials:
checked with real requests, with and without a tenant header naming a real tenant.
"""

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.main import create_app
from app.settings import Settings
from harness.api import NO_CREDENTIALS, ServiceApi
from harness.factories import TenantFactory
from harness.feature_tables import outline_rows

FEATURE = Path(__file__).resolve().parents[2] / "features" / "tenant_isolation.feature"
MATRIX_OUTLINE = "Globex gets nothing of Acme's through <method> <path>"
# Routes that need no tenant, listed one by one so that adding one is a decision.
PUBLIC_ROUTES = {
    ("GET", "/health"),
    ("GET", "/health/ready"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    # Signing in names a tenant but, by its nature, comes before any credentials.
    ("POST", "/auth/login"),
    # Only clears the cookie; must work for a browser whose token has already expired.
    ("POST", "/auth/logout"),
}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    # FastAPI 0.165 keeps included routers as lazy `_IncludedRouter` entries in
    # app.routes; iter_route_contexts flattens them into the effective routes.
    routes = {
        (method, _shape(route.path))
        for route in iter_route_contexts(app.routes)
        if route.path
        for method in (route.methods or set())
        if method != "HEAD"  # Starlette adds HEAD to every GET
    }
    assert routes, "found no routes at all: has FastAPI's routing changed?"
    return routes


def matrix_rows() -> set[tuple[str, str]]:
    rows = outline_rows(FEATURE, MATRIX_OUTLINE)
    return {(row["method"], _shape(row["path"])) for row in rows}


def test_every_tenant_scoped_route_is_in_the_isolation_matrix() -> None:
    app = create_app(
        Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
    )
    missing = app_routes(app) - PUBLIC_ROUTES - matrix_rows()
    assert not missing, (
        f"Routes without an isolation scenario: {sorted(missing)}. Add a row to the matrix in "
        f"{FEATURE.name}, or list the route as public in this test if it needs no tenant."
    )


def test_the_matrix_names_no_route_that_does_not_exist() -> None:
    app = create_app(
        Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
    )
    stale = matrix_rows() - app_routes(app)
    assert not stale, f"The matrix lists routes the app does not have: {sorted(stale)}"


def test_the_guard_catches_a_route_missing_from_the_matrix() -> None:
    app = create_app(
        Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
    )
    app.add_api_route("/invoices", lambda: [], methods=["GET"])
    assert ("GET", "/invoices") in app_routes(app) - PUBLIC_ROUTES - matrix_rows()


def _concrete(path_shape: str) -> str:
    # "1" is a valid user id, API key id and counter name alike: the request gets past the
    # path's own validation, so only the credentials decide.
    return path_shape.replace("{}", "1")


def routes_open_without_credentials(app: FastAPI, api: ServiceApi, tenant: str) -> list[str]:
    """Routes not listed as public that do not answer 401 (with a challenge) to no credentials."""
    offenders = []
    for method, path in sorted(app_routes(app) - PUBLIC_ROUTES):
        for named in (None, tenant):
            answer = api.call(method, _concrete(path), tenant=named, credentials=NO_CREDENTIALS)
            if answer.status_code != 401 or "WWW-Authenticate" not in answer.headers:
                offenders.append(f"{method} {path} (tenant {named}): {answer.status_code}")
    return offenders


def test_every_route_not_listed_as_public_requires_credentials(
    app: FastAPI, client: TestClient, db_session: Session
) -> None:
    tenant = TenantFactory(slug="acme")
    offenders = routes_open_without_credentials(app, ServiceApi(client), tenant.slug)
    assert not offenders, (
        f"Routes that answer a caller without credentials: {offenders}. Give them a principal "
        "(CurrentTenant, MemberScope, AdminScope) or list them as public here, on purpose."
    )


def test_the_guard_catches_a_route_that_forgets_authentication(
    app: FastAPI, client: TestClient, db_session: Session
) -> None:
    app.add_api_route("/invoices", lambda: [], methods=["GET"])
    added = app.router.routes[-1]
    try:
        tenant = TenantFactory(slug="acme")
        offenders = routes_open_without_credentials(app, ServiceApi(client), tenant.slug)
        assert offenders == [
            "GET /invoices (tenant None): 200",
            "GET /invoices (tenant acme): 200",
        ]
    finally:
        # The app is the session's shared one: a route left behind failed the guard above
        # whenever pytest-randomly ran it after this test on the same worker.
        app.router.routes.remove(added)
        app.openapi_schema = None
