"""Faults, injected the way production has them, and what the service answers.

- database unreachable: the service's link to PostgreSQL (harness.tcp_proxy) is cut;
- a connection killed in use: pg_terminate_backend on the service's waiting backend;
- a statement past the time limit: the `db_statement_timeout_ms` setting, and a real
  row lock held by another transaction;
- deadlock: a real second writer (harness.faults.Clerk);
- a bug: `app.dependency_overrides` on the tenant dependency;
- the e-mail provider: its respx mock at the service's outer edge.
"""

import logging

import pytest
import respx
from fastapi import FastAPI
from pytest_bdd import given, then, when
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from app.settings import Settings
from app.tenancy import tenant_scope
from harness import email_provider as provider_mock
from harness import faults
from harness.api import ServiceApi
from harness.phrases import phrase
from harness.tcp_proxy import TcpProxy
from harness.world import AppTweaks, World


def _through_link(app_tweaks: AppTweaks, service_settings: Settings, link: TcpProxy) -> None:
    url = make_url(str(service_settings.database_url)).set(host="127.0.0.1", port=link.port)
    app_tweaks.set(database_url=url.render_as_string(hide_password=False))


# --- Given ------------------------------------------------------------------------------


@given("the service has lost its database")
def database_lost(
    app_tweaks: AppTweaks, service_settings: Settings, database_link: TcpProxy
) -> None:
    _through_link(app_tweaks, service_settings, database_link)
    database_link.cut()


@given(phrase("the service lost its database while serving {tenant:Name}"))
def database_lost_while_serving(
    request: pytest.FixtureRequest,
    world: World,
    app_tweaks: AppTweaks,
    service_settings: Settings,
    database_link: TcpProxy,
    tenant: str,
) -> None:
    _through_link(app_tweaks, service_settings, database_link)
    api: ServiceApi = request.getfixturevalue("api")  # built after the settings changed
    served = api.list_users(world.tenant(tenant).slug)
    assert served.status_code == 200, served.text  # the pool now holds a live connection
    database_link.cut()
    refused = api.list_users(world.tenant(tenant).slug)
    assert refused.status_code == 503, refused.text


@given("the service allows each database statement a short time only")
def short_statement_timeout(app_tweaks: AppTweaks) -> None:
    app_tweaks.set(db_statement_timeout_ms=300)


@given("the service makes a single attempt at each write")
def single_attempt(app_tweaks: AppTweaks) -> None:
    app_tweaks.set(db_write_attempts=1)


@given(
    phrase('a clerk of {tenant:Name} has begun adding {person:Name} with the email "{email:Text}"')
)
def clerk_begins(world: World, clerk: faults.Clerk, tenant: str, person: str, email: str) -> None:
    clerk.add_user(world.tenant(tenant).id, person, email)


@given("the service has a bug in finding a request's tenant")
def buggy_tenant_lookup(app: FastAPI) -> None:
    def broken() -> None:
        raise RuntimeError(faults.BUG_TEXT)

    app.dependency_overrides[tenant_scope] = broken


@given(phrase("the e-mail provider {behaviour:Words}"))
def provider_misbehaves(email_provider: respx.Router, behaviour: str) -> None:
    provider_mock.misbehave(email_provider, behaviour)


# --- When -------------------------------------------------------------------------------


@when("the database comes back")
def database_back(database_link: TcpProxy) -> None:
    database_link.restore()


@when(phrase("{tenant:Name} lists its users while other work holds every database connection"))
def list_with_pool_taken(world: World, api: ServiceApi, app: FastAPI, tenant: str) -> None:
    engine: Engine = app.state.engine
    held = [engine.connect() for _ in range(engine.pool.size())]  # type: ignore[attr-defined]
    try:
        world.response = api.list_users(world.tenant(tenant).slug)
    finally:
        for connection in held:
            connection.close()


@when(phrase('{tenant:Name}\'s increment of "{name:Text}" loses its database connection midway'))
def connection_killed(
    world: World, api: ServiceApi, admin_engine: Engine, tenant: str, name: str
) -> None:
    acme = world.tenant(tenant)
    # The pool first, then the lock: the lock is released before the thread is joined.
    with (
        faults.background() as pool,
        faults.transaction_holding_counter(admin_engine, acme.id, name),
    ):
        answer = pool.submit(api.increment_counter, acme.slug, name)
        faults.terminate_backend(
            admin_engine, faults.service_backend_waiting_on_a_lock(admin_engine)
        )
        world.response = answer.result(timeout=faults.ANSWER_TIMEOUT_S)


@when(phrase('{tenant:Name} increments its counter "{name:Text}" while a batch job holds it'))
def increment_while_held(
    world: World, api: ServiceApi, admin_engine: Engine, tenant: str, name: str
) -> None:
    acme = world.tenant(tenant)
    with (
        faults.background() as pool,
        faults.transaction_holding_counter(admin_engine, acme.id, name),
    ):
        answer = pool.submit(api.increment_counter, acme.slug, name)
        # Answered while the lock is still held: the time limit cut the statement short.
        world.response = answer.result(timeout=faults.ANSWER_TIMEOUT_S)


@when(
    phrase(
        '{tenant:Name} changes {person:Name}\'s email to "{email:Text}" while the clerk '
        'renames {other:Name} to "{name:Text}"'
    )
)
def deadlocking_change(
    world: World,
    api: ServiceApi,
    admin_engine: Engine,
    clerk: faults.Clerk,
    tenant: str,
    person: str,
    email: str,
    other: str,
    name: str,
) -> None:
    target = world.person(person)
    with faults.background() as pool:
        answer = pool.submit(
            api.update_user, world.tenant(tenant).slug, target.id, {"email": email}
        )
        try:
            # Barrier: the service has updated the row and waits on the clerk's new email.
            faults.service_backend_waiting_on_a_lock(admin_engine)
            # Now the clerk waits on the service's row: a deadlock, which PostgreSQL breaks.
            clerk.rename_user(world.person(other).tenant_id, world.person(other).id, name)
            clerk.commit()
        finally:
            clerk.close()
        world.response = answer.result(timeout=faults.ANSWER_TIMEOUT_S)


# --- Then -------------------------------------------------------------------------------


@then(phrase('{tenant:Name} can still read its counter "{name:Text}" as {value:d}'))
def still_serves(world: World, api: ServiceApi, tenant: str, name: str, value: int) -> None:
    answer = api.read_counter(world.tenant(tenant).slug, name)
    assert answer.status_code == 200, answer.text
    assert answer.json()["value"] == value


@then("the service has given all its database connections back")
def connections_back(app: FastAPI, api: ServiceApi) -> None:
    assert app.state.engine.pool.checkedout() == 0, app.state.engine.pool.status()
    ready = api.readiness()  # and the pooled connection still works
    assert ready.status_code == 200, ready.text


@then("the server log holds the trace for the answer's request id")
def trace_logged(world: World, caplog: pytest.LogCaptureFixture) -> None:
    request_id = world.last.json()["error"]["request_id"]
    records = [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.exc_info and request_id in r.getMessage()
    ]
    assert records, f"no error record with a trace for request {request_id}"
    assert faults.BUG_TEXT in caplog.text and "Traceback" in caplog.text
