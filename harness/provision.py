"""One database per pytest-xdist worker, the service's roles, and the real migrations."""

import hashlib
import os
import re
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from app.models import Base
from app.tenant_schemas import drop_schema

SERVICE_ROLE = "app_service"
# Same privileges (member of the service role) but BYPASSRLS: runs the service with the
# database layer switched off, to prove the application's own tenant filters.
BYPASS_ROLE = "app_service_bypass"
# The scenario's own connections: seeding and checks. Plays provisioning, which creates
# tenants (the service may only read them): a member of the service role, plus INSERT on
# tenants. Not the owner, no BYPASSRLS: seeded rows pass the same RLS checks.
SEEDER_ROLE = "app_seeder"
# Schema-per-tenant mode: the group of every tenant's role (migrations/roles.py names it),
# created here, under the lock, so that workers migrating at once do not race to create it.
TENANT_GROUP_ROLE = f"{SERVICE_ROLE}_tenants"
# Test-only roles on a test server; a password so servers without trust auth work too.
ROLE_PASSWORD = "acceptance-only"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TestDatabase:
    name: str
    admin_url: URL  # the owner: runs migrations and cleans up
    service_url: URL  # what the service connects as
    bypass_url: URL
    seeder_url: URL  # what the scenario's own session connects as


def worker_database_name(base: str, worker_id: str) -> str:
    # The pid keeps two runs on one server (two CI jobs, a nested run) apart.
    name = f"{base}_{worker_id}_{os.getpid()}".lower()
    return re.sub(r"[^a-z0-9_]", "_", name)[:63]


def _autocommit(url: URL) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def ensure_roles(server_url: URL) -> None:
    """Create the service and seeding roles once per server; xdist workers may arrive together.

    The seeder is a member of both service roles: in the savepoint mode each request
    runs on the scenario's connection after `SET ROLE` to the service's role. It plays
    provisioning, so it may create roles (a schema-per-tenant tenant's own). The service
    role is NOINHERIT: a member of every tenant role in schemas mode, holding none of
    their rights until a transaction takes one (app/tenant_schemas.py).
    """
    roles = (
        (SERVICE_ROLE, "NOBYPASSRLS NOINHERIT"),
        (BYPASS_ROLE, "BYPASSRLS"),
        (SEEDER_ROLE, "NOBYPASSRLS CREATEROLE"),
    )
    engine = _autocommit(server_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(hashtext('acceptance-roles'))"))
        try:
            for role, extra in roles:
                exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
                verb = "ALTER" if exists else "CREATE"
                creates_roles = "" if "CREATEROLE" in extra else "NOCREATEROLE"
                conn.execute(
                    text(
                        f"{verb} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB {creates_roles} {extra} "
                        f"PASSWORD '{ROLE_PASSWORD}'"
                    )
                )
            if not conn.scalar(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": TENANT_GROUP_ROLE}
            ):
                conn.execute(text(f"CREATE ROLE {TENANT_GROUP_ROLE} NOLOGIN"))
            conn.execute(text(f"GRANT {SERVICE_ROLE} TO {BYPASS_ROLE}"))
            conn.execute(text(f"GRANT {SERVICE_ROLE}, {BYPASS_ROLE} TO {SEEDER_ROLE}"))
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext('acceptance-roles'))"))
    engine.dispose()


def create_database(server_url: URL, name: str) -> TestDatabase:
    engine = _autocommit(server_url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return database_urls(server_url, name)


def database_urls(server_url: URL, name: str) -> TestDatabase:
    """The URLs of database `name` on the server, as the owner and as the service's roles."""
    admin = server_url.set(database=name)
    return TestDatabase(
        name=name,
        admin_url=admin,
        service_url=admin.set(username=SERVICE_ROLE, password=ROLE_PASSWORD),
        bypass_url=admin.set(username=BYPASS_ROLE, password=ROLE_PASSWORD),
        seeder_url=admin.set(username=SEEDER_ROLE, password=ROLE_PASSWORD),
    )


def drop_database(server_url: URL, name: str) -> None:
    """Drop the database and the roles of its tenants' schemas (roles outlive databases)."""
    engine = _autocommit(server_url)
    with engine.connect() as conn:
        oid = conn.scalar(text("SELECT oid FROM pg_database WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if oid is not None:
            leftover = conn.scalars(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :prefix"),
                {"prefix": f"tenant\\_{oid}\\_%"},
            ).all()
            for role in leftover:
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    engine.dispose()


def migrate(database: TestDatabase) -> None:
    """Apply the real Alembic migrations, as the owner, granting to the service role."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option(
        "sqlalchemy.url", database.admin_url.render_as_string(hide_password=False)
    )
    config.attributes["service_role"] = SERVICE_ROLE
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


def grant_seeding(database: TestDatabase) -> None:
    """What provisioning may do beyond the service: create tenants. Per database, after
    the migrations (which grant to the service role only)."""
    engine = _autocommit(database.admin_url)
    with engine.connect() as conn:
        conn.execute(text(f"GRANT INSERT ON tenants TO {SEEDER_ROLE}"))
        conn.execute(text(f"GRANT USAGE ON SEQUENCE tenants_id_seq TO {SEEDER_ROLE}"))
        # Schema-per-tenant provisioning: a schema per tenant (grant_creating_schemas),
        # recorded in the registry, whose tables point at it (REFERENCES, for their
        # tenant_id foreign keys).
        conn.execute(
            text(
                "GRANT UPDATE (schema_name, schema_role, schema_revision), REFERENCES "
                f"ON tenants TO {SEEDER_ROLE}"
            )
        )
    engine.dispose()
    grant_creating_schemas(database)


def grant_creating_schemas(database: TestDatabase) -> None:
    """Provisioning creates a schema per tenant (schemas mode). A database's own privileges
    are not copied by CREATE DATABASE ... TEMPLATE, so every clone is granted this again."""
    engine = _autocommit(database.admin_url)
    with engine.connect() as conn:
        conn.execute(text(f'GRANT CREATE ON DATABASE "{database.name}" TO {SEEDER_ROLE}'))
    engine.dispose()


def wipe(admin_engine: Engine) -> None:
    """Remove every row committed by a scenario. DELETE, not TRUNCATE: ~10x cheaper here.

    Runs as the owner (a superuser on test servers), so RLS does not hide rows from it.
    Tenants' own schemas and roles (schemas mode) go first, with everything in them.
    """
    with admin_engine.begin() as conn:
        for schema, role in conn.execute(
            text("SELECT schema_name, schema_role FROM tenants WHERE schema_name IS NOT NULL")
        ):
            drop_schema(conn, schema, role)
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def server_url(raw: str) -> URL:
    return make_url(raw)


# What the template's content depends on: the migrations and the grants made here. A change
# to either is a new template name, so a template made by older code is never cloned.
_TEMPLATE_SOURCES = (ROOT / "migrations", Path(__file__))


def migrations_fingerprint() -> str:
    digest = hashlib.sha1()
    for source in _TEMPLATE_SOURCES:
        files = sorted(source.rglob("*.py")) if source.is_dir() else [source]
        for path in files:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(base: str = "acceptance") -> str:
    return f"{base}_template_{migrations_fingerprint()}"


def template_database(server_url: URL, base: str = "acceptance") -> str:
    """A migrated database to clone, made once per server and migrations fingerprint.

    Kept on the server (an embedded cluster goes away with it): the next run with the same
    migrations clones it without migrating. Made under an advisory lock and published by a
    rename once complete, so concurrent runs and workers never clone a half-migrated one;
    templates of other fingerprints with the same base are dropped when a new one is made.
    """
    name = template_name(base)
    ensure_roles(server_url)
    engine = _autocommit(server_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:n))"), {"n": name})
            try:
                exists = conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
                )
                if not exists:
                    _build_template(server_url, conn, name, base)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:n))"), {"n": name})
    finally:
        engine.dispose()
    return name


def _build_template(server_url: URL, conn: Connection, name: str, base: str) -> None:
    building = f"{name}_new"
    database = create_database(server_url, building)
    migrate(database)
    grant_seeding(database)
    conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
    stale = conn.scalars(
        text("SELECT datname FROM pg_database WHERE datname LIKE :p AND datname <> :n"),
        {"p": f"{base}\\_template\\_%", "n": name},
    ).all()
    for old in stale:
        with suppress(DBAPIError):  # in use by a run of older code: left to the next one
            conn.execute(text(f'DROP DATABASE IF EXISTS "{old}"'))


def clone_database(server_url: URL, template: str, name: str) -> TestDatabase:
    """A new database `name`, a copy of `template` (~30 ms here, against ~0.3 s to migrate)."""
    engine = _autocommit(server_url)
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine.dispose()
    database = database_urls(server_url, name)
    grant_creating_schemas(database)
    return database


# Server-side waits the fault and concurrency scenarios sit through, shortened for the
# suite's databases only (ALTER DATABASE: not the server's, not the service's defaults).
# deadlock_timeout: PostgreSQL waits this long on a lock before it looks for a deadlock (1 s
# by default); the deadlock scenarios wait it out once per attempt. 50 ms still lets the
# clerk (harness.faults.Clerk, 60 s for itself) be the one that waits longer, so the
# service is the victim, as those scenarios need.
SCENARIO_DATABASE_SETTINGS = {"deadlock_timeout": "50ms"}


def tune_for_scenarios(server_url: URL, name: str) -> None:
    """The suite's settings on database `name`, for every connection opened after this."""
    engine = _autocommit(server_url)
    with engine.connect() as conn:
        for setting, value in SCENARIO_DATABASE_SETTINGS.items():
            conn.execute(text(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'"))
    engine.dispose()
