"""The suite's PostgreSQL and a migrated database on it: one recipe for the fixtures and bench/.

- `postgres_server()`: TEST_DATABASE_URL's server (from the environment or `.env`), or a
  throwaway cluster from the machine's own server binaries, stopped at the end.
- `suite_database(server, name)`: the service's roles, a database of its own cloned from
  a template migrated with the real Alembic migrations; dropped at the end.
- `service_settings(database, rls=...)`: the service's settings for that database, with
  the suite's signing secret and cheap password hashing.
- `seeder_engine(database)`: connections as the seeding role, which may also create
  tenants (the service may not), for the suite's own seeding and checks.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from app.db import create_db_engine
from app.settings import Settings
from harness import provision
from harness.auth import SUITE_AUTH_SETTINGS
from harness.pg_cluster import start_cluster


class SuiteSettings(BaseSettings):
    """Where the suite's PostgreSQL is, and with which driver; from the environment or `.env`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    test_database_url: str | None = None
    # psycopg2 (psycopg2-binary) by default; psycopg is psycopg 3, which SQLAlchemy 2.1 picks
    # for a plain postgresql:// URL.
    test_db_driver: Literal["psycopg2", "psycopg"] = "psycopg2"
    # A database migrated beforehand, used as it is by every session (emptied at its start,
    # kept at its end): for many sessions one after another, as `make mutation` runs one
    # per mutant, where creating and dropping a database would cost a second each.
    test_database_name: str | None = None
    # How the service keeps tenants apart (APP_TENANCY): `rows` (the default, what `make
    # acceptance` runs) or `schemas`, a schema and role per tenant. The database fixtures,
    # the factories and the database-layer steps follow it.
    test_tenancy: Literal["rows", "schemas"] = "rows"


@contextmanager
def postgres_server() -> Iterator[URL]:
    """A server the suite may create roles and databases on, its URL naming the suite's driver.

    Raises PostgresNotFound when there is neither a TEST_DATABASE_URL nor server binaries.
    """
    settings = SuiteSettings()
    driver = f"postgresql+{settings.test_db_driver}"
    if settings.test_database_url:
        yield provision.server_url(settings.test_database_url).set(drivername=driver)
        return
    cluster = start_cluster()
    try:
        yield provision.server_url(cluster.url).set(drivername=driver)
    finally:
        cluster.stop()


@contextmanager
def suite_database(server: URL, name: str) -> Iterator[provision.TestDatabase]:
    """A database of its own on `server`, a clone of the migrated template; dropped after.

    The template (provision.template_database) is migrated with the real migrations once
    per server and migrations fingerprint; each session and worker clones it.
    """
    template = provision.template_database(server)
    database = provision.clone_database(server, template, name)
    try:
        yield database
    finally:
        provision.drop_database(server, name)


def reused_database(server: URL, name: str) -> provision.TestDatabase:
    """TEST_DATABASE_NAME's database, migrated by whoever set it, emptied of committed rows."""
    database = provision.database_urls(server, name)
    engine = create_engine(database.admin_url, poolclass=NullPool)
    try:
        provision.wipe(engine)  # a mutant killed mid-scenario may have left rows
    finally:
        engine.dispose()
    return database


def service_settings(database: provision.TestDatabase, *, rls: bool = True) -> Settings:
    """The service's settings: its own role (or the BYPASSRLS one), the suite's auth settings."""
    url = database.service_url if rls else database.bypass_url
    return Settings(
        database_url=url.render_as_string(hide_password=False),
        tenancy=SuiteSettings().test_tenancy,
        **SUITE_AUTH_SETTINGS,
    )


def seeder_engine(database: provision.TestDatabase) -> Engine:
    """The service's engine options (statement timeout, pre-ping), as the seeding role."""
    url = database.seeder_url.render_as_string(hide_password=False)
    return create_db_engine(service_settings(database).model_copy(update={"database_url": url}))
