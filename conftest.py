"""Fixtures: the database under the suite, per-scenario isolation, the app and its client.

Isolation modes:
- default: one connection, an outer transaction, a Session that turns the app's
  commits into savepoints; rolled back after the scenario (~0.3 ms).
- `@committed_data`: real per-request sessions from the service's engine, rows really
  committed (needed when several connections must see them: concurrency, a real
  server); every table is emptied after the scenario.
"""

from collections.abc import Iterator

import pytest
import respx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.auth.api_keys import new_key as api_key_secret
from app.db import create_db_engine, get_db
from app.main import create_app
from app.outbound.email import get_email_provider
from app.settings import Settings
from harness import api as service_api
from harness import email_provider as provider_mock
from harness import parallel, provision
from harness.api import ServiceApi
from harness.auth import NO_CREDENTIALS, SUITE_AUTH_SETTINGS, Headers, api_key
from harness.factories import ApiKeyFactory, bind_factories
from harness.live_server import live_server
from harness.pg_cluster import PostgresNotFound, start_cluster
from harness.world import AppTweaks, World

pytest_plugins = [
    "pytester",  # the reporting plugin's own tests run small pytest projects
    "steps.tenants",
    "steps.users",
    "steps.counters",
    "steps.health",
    "steps.http_responses",
    "steps.row_level_security",
    "steps.auth",
    "steps.failures",
    "steps.bad_input",
    "steps.concurrency",
]

COMMITTED_DATA = "committed_data"


class SuiteSettings(BaseSettings):
    """Where the suite's PostgreSQL is; read from the environment or `.env`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    test_database_url: str | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("acceptance").addoption(
        "--without-rls",
        action="store_true",
        help="Connect the service as a BYPASSRLS role: switches the database layer of tenant "
        "isolation off, so the application's own tenant filters are tested alone.",
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[URL]:
    """A PostgreSQL server: TEST_DATABASE_URL's, or a throwaway cluster for this process."""
    configured = SuiteSettings().test_database_url
    if configured:
        yield provision.server_url(configured)
        return
    try:
        cluster = start_cluster()
    except PostgresNotFound as exc:
        pytest.exit(str(exc), returncode=3)
    try:
        yield provision.server_url(cluster.url)
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def test_database(pg_server: URL, worker_id: str) -> Iterator[provision.TestDatabase]:
    """This worker's own database, migrated; dropped at the end."""
    provision.ensure_roles(pg_server)
    name = provision.worker_database_name(pg_server.database or "acceptance", worker_id)
    database = provision.create_database(pg_server, name)
    try:
        provision.migrate(database)
        yield database
    finally:
        provision.drop_database(pg_server, name)


@pytest.fixture(scope="session")
def admin_engine(test_database: provision.TestDatabase) -> Iterator[Engine]:
    engine = create_engine(test_database.admin_url, poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def rls_enabled(request: pytest.FixtureRequest) -> bool:
    return not request.config.getoption("--without-rls")


@pytest.fixture(scope="session")
def service_settings(test_database: provision.TestDatabase, rls_enabled: bool) -> Settings:
    url = test_database.service_url if rls_enabled else test_database.bypass_url
    return Settings(
        database_url=url.render_as_string(hide_password=False),
        **SUITE_AUTH_SETTINGS,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def service_engine(service_settings: Settings) -> Iterator[Engine]:
    """The scenario's own connections, as the same role the service uses."""
    engine = create_db_engine(service_settings)
    yield engine
    engine.dispose()


@pytest.fixture
def committed_data(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker(COMMITTED_DATA) is not None


@pytest.fixture
def db_session(
    service_engine: Engine, admin_engine: Engine, committed_data: bool
) -> Iterator[Session]:
    """The scenario's session: seeding and database checks go through it."""
    if committed_data:
        session = Session(service_engine, expire_on_commit=False)
        bind_factories(session)
        try:
            yield session
        finally:
            bind_factories(None)
            session.close()
            provision.wipe(admin_engine)
        return
    connection = service_engine.connect()
    outer = connection.begin()
    # expire_on_commit=False, as in the service's own sessions: the service commits on this
    # session too, and an expired person would be reloaded in whatever tenant's RLS context
    # that request left behind (and not be found).
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    bind_factories(session)
    try:
        yield session
    finally:
        bind_factories(None)
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def app_tweaks() -> AppTweaks:
    return AppTweaks()


@pytest.fixture
def email_provider() -> respx.Router:
    """The mocked e-mail provider (respx): accepts every message unless a step says otherwise."""
    return provider_mock.accepting_router()


@pytest.fixture(scope="session")
def shared_app(service_settings: Settings) -> Iterator[tuple[FastAPI, TestClient]]:
    """One app and client for every scenario with the suite's own settings.

    Building an app and entering a TestClient cost about 20 ms, more than the
    scenario's own work; each scenario sets its dependency overrides on this app
    and clears them afterwards.
    """
    application = create_app(service_settings)
    with TestClient(application, base_url="http://testserver") as test_client:
        yield application, test_client


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    service_settings: Settings,
    db_session: Session,
    committed_data: bool,
    app_tweaks: AppTweaks,
    email_provider: respx.Router,
) -> Iterator[FastAPI]:
    app_tweaks.built = True
    if app_tweaks.settings:  # a scenario that changed settings gets an app of its own
        application = create_app(service_settings.model_copy(update=app_tweaks.settings))
    else:
        application, _ = request.getfixturevalue("shared_app")
    if not committed_data:
        # The app's commits become savepoint releases on the scenario's connection.
        application.dependency_overrides[get_db] = lambda: db_session
    outbound = provider_mock.provider_for(email_provider)
    application.dependency_overrides[get_email_provider] = lambda: outbound
    yield application
    application.dependency_overrides.clear()
    outbound.close()


@pytest.fixture
def client(request: pytest.FixtureRequest, app: FastAPI) -> Iterator[TestClient]:
    shared, shared_client = request.getfixturevalue("shared_app")
    if app is shared:
        yield shared_client
        return
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> ServiceApi:
    return ServiceApi(client)


@pytest.fixture
def world(db_session: Session) -> Iterator[World]:
    """The scenario's state; asking for it also binds the factories to the scenario's session.

    It also installs the scenario's default caller: a call that names one of the
    scenario's tenants without credentials acts as that tenant's admin (an admin API
    key, seeded on first use). An API key, not a user: a default user would show up in
    every list, count and seat limit that scenarios assert on.
    """
    state = World()

    def default_admin(slug: str) -> Headers:
        if slug not in state.default_callers:
            tenant = next((t for t in state.tenants.values() if t.slug == slug), None)
            if tenant is None:  # a tenant the scenario never made has no one to act for it
                return NO_CREDENTIALS
            key = api_key_secret()
            ApiKeyFactory(tenant_id=tenant.id, name="default admin", role="admin", key=key)
            state.default_callers[slug] = api_key(key)
        return state.default_callers[slug]

    service_api.install_default_credentials(default_admin)
    try:
        yield state
    finally:
        service_api.install_default_credentials(None)


@pytest.fixture
def live_server_url(
    service_settings: Settings, db_session: Session, committed_data: bool
) -> Iterator[str]:
    """A real uvicorn on 127.0.0.1 with its own app, for requests that must really overlap.

    Stopped (thread joined, pool closed by the app's lifespan) before `db_session`
    empties the tables.
    """
    if not committed_data:
        pytest.fail("a live server needs @committed_data: its requests commit on their own")
    # One pooled connection per client thread: that is all the bounded runs can use at
    # once. No overflow, so a request that needed a second connection would show up.
    settings = service_settings.model_copy(
        update={"db_pool_size": parallel.MAX_WORKERS, "db_max_overflow": 0}
    )
    application = create_app(settings)
    with live_server(application) as base_url:
        yield base_url
    assert application.state.engine.pool.checkedout() == 0, "a connection was not returned"
