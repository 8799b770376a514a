"""Every path of the app answers HEAD, OPTIONS and wrong methods as HTTP says (RFC 9110).

For every path the app routes (a sample of each templated one):
- OPTIONS is a 204 whose `Allow` lists exactly the path's methods;
- every method the path does not take is a 405 in the one error shape, with that same
  `Allow` (HEAD without a body);
- HEAD, wherever GET works, has GET's status and headers and no body;
- no method in `Allow` is refused as not allowed.
The methods a path takes are worked out here from the route table on its own (templates
matched by a plain regex), not with the service's middleware.
"""

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy.orm import Session

from app.auth.api_keys import new_key
from harness.answers import allowed_methods, without_per_answer
from harness.api import NO_CREDENTIALS, HttpResponse, ServiceApi
from harness.auth import api_key
from harness.factories import ApiKeyFactory, CounterFactory, TenantFactory, UserFactory

TENANT = "acme"
# Every method a client might send; the path takes some of them.
PROBED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def declared_methods(app: FastAPI) -> dict[str, set[str]]:
    """Each path template with the methods its routes declare (HEAD and OPTIONS aside)."""
    table: dict[str, set[str]] = {}
    for route in iter_route_contexts(app.routes):
        if route.path:
            table.setdefault(route.path, set()).update(route.methods or set())
    assert table, "found no routes at all: has FastAPI's routing changed?"
    return {path: methods - {"HEAD", "OPTIONS"} for path, methods in table.items()}


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^}]+\}", template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


def expected_allow(table: dict[str, set[str]], path: str) -> set[str]:
    """What a path takes: every method of every template it fits, HEAD with GET, OPTIONS."""
    fitting = [m for template, m in table.items() if _template_regex(template).fullmatch(path)]
    methods = set().union(*fitting)
    return methods | ({"HEAD"} if "GET" in methods else set()) | {"OPTIONS"}


def allow_of(answer: HttpResponse) -> set[str]:
    return set(allowed_methods(answer))


@pytest.fixture
def sample_ids(db_session: Session) -> dict[str, str]:
    """Acme with a user, a counter and an admin API key: samples for the templated paths."""
    tenant = TenantFactory(slug=TENANT)
    user = UserFactory(tenant_id=tenant.id, name="Alice")
    CounterFactory(tenant_id=tenant.id, name="visits", value=1)
    key = new_key()
    admin = ApiKeyFactory(tenant_id=tenant.id, name="admin", role="admin", key=key)
    return {"{user_id}": str(user.id), "{key_id}": str(admin.id), "{name}": "visits", "key": key}


def concrete_paths(table: dict[str, set[str]], samples: dict[str, str]) -> list[str]:
    paths = []
    for template in sorted(table):
        path = template
        for placeholder in re.findall(r"\{[^}]+\}", template):
            assert placeholder in samples, f"add a sample value for {placeholder} ({template})"
            path = path.replace(placeholder, samples[placeholder])
        paths.append(path)
    return paths


def method_problems(api: ServiceApi, path: str, allowed: set[str], key: str) -> list[str]:
    """What is wrong with OPTIONS, HEAD and the refused methods of one path (sends no writes)."""

    def send(method: str) -> HttpResponse:
        return api.call(method, path, tenant=TENANT, credentials=api_key(key))

    problems = []
    options = send("OPTIONS")
    if options.status_code != 204 or allow_of(options) != allowed:
        problems.append(f"OPTIONS {path}: {options.status_code}, Allow {allow_of(options)}")
    for method in sorted(set(PROBED) - allowed):
        answer = send(method)
        shape_ok = method == "HEAD" or answer.json()["error"]["code"] == "method_not_allowed"
        if answer.status_code != 405 or allow_of(answer) != allowed or not shape_ok:
            problems.append(f"{method} {path}: {answer.status_code}, Allow {allow_of(answer)}")
    if "GET" in allowed:
        full, head = send("GET"), send("HEAD")
        same, head_headers = without_per_answer(full.headers), without_per_answer(head.headers)
        if (head.status_code, head_headers, head.content) != (full.status_code, same, b""):
            problems.append(f"HEAD {path}: {head.status_code} {head_headers} vs GET {same}")
    return problems


def test_every_path_answers_head_options_and_wrong_methods_as_http_says(
    app: FastAPI, api: ServiceApi, sample_ids: dict[str, str]
) -> None:
    table = declared_methods(app)
    paths = concrete_paths(table, sample_ids)
    problems = [
        problem
        for path in paths
        for problem in method_problems(api, path, expected_allow(table, path), sample_ids["key"])
    ]
    assert not problems, "\n".join(problems)
    # No method that Allow lists is refused as not allowed. Without credentials, so nothing
    # is written: the method is settled before the caller is.
    for path in paths:
        for method in sorted(expected_allow(table, path) - {"GET", "HEAD", "OPTIONS"}):
            answer = api.call(method, path, tenant=TENANT, credentials=NO_CREDENTIALS)
            assert answer.status_code != 405, f"{method} {path} is listed in Allow, yet refused"


def test_a_path_fits_the_templates_of_every_route_that_would_serve_it(app: FastAPI) -> None:
    table = declared_methods(app)
    assert expected_allow(table, "/counters/increments") == {"GET", "HEAD", "OPTIONS", "POST"}
    assert expected_allow(table, "/users/7") == {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH"}
