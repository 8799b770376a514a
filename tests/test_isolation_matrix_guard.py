"""A new endpoint cannot ship without its row in the isolation matrix.

Every route of the app must either be listed as public here, on purpose, or
appear as a row (method, path) of the matrix outline in tenant_isolation.feature.
"""

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from gherkin.parser import Parser

from app.main import create_app
from app.settings import Settings

FEATURE = Path(__file__).resolve().parent.parent / "features" / "tenant_isolation.feature"
MATRIX_OUTLINE = "Globex gets nothing of Acme's through <method> <path>"
# Routes that need no tenant, listed one by one so that adding one is a decision.
PUBLIC_ROUTES = {
    ("GET", "/health"),
    ("GET", "/health/ready"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
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
    document = Parser().parse(FEATURE.read_text())
    rows: set[tuple[str, str]] = set()
    for child in document["feature"]["children"]:
        for item in child.get("rule", {}).get("children", []):
            scenario = item.get("scenario")
            if not scenario or scenario["name"] != MATRIX_OUTLINE:
                continue
            for examples in scenario["examples"]:
                header = [cell["value"] for cell in examples["tableHeader"]["cells"]]
                for row in examples["tableBody"]:
                    values = dict(
                        zip(header, (cell["value"] for cell in row["cells"]), strict=True)
                    )
                    rows.add((values["method"], _shape(values["path"])))
    assert rows, f"no Examples found under {MATRIX_OUTLINE!r} in {FEATURE.name}"
    return rows


def test_every_tenant_scoped_route_is_in_the_isolation_matrix() -> None:
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"))
    missing = app_routes(app) - PUBLIC_ROUTES - matrix_rows()
    assert not missing, (
        f"Routes without an isolation scenario: {sorted(missing)}. Add a row to the matrix in "
        f"{FEATURE.name}, or list the route as public in this test if it needs no tenant."
    )


def test_the_matrix_names_no_route_that_does_not_exist() -> None:
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"))
    stale = matrix_rows() - app_routes(app)
    assert not stale, f"The matrix lists routes the app does not have: {sorted(stale)}"


def test_the_guard_catches_a_route_missing_from_the_matrix() -> None:
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"))
    app.add_api_route("/invoices", lambda: [], methods=["GET"])
    assert ("GET", "/invoices") in app_routes(app) - PUBLIC_ROUTES - matrix_rows()
