"""Schema-per-tenant mode: a tenant's schema, its role, its migrations.

Each tenant gets
- a schema named after its slug (`tenant_` + the slug, hyphens as underscores: slugs
  have no underscores, so no two slugs share a name), refused when the slug is not a
  safe tenant slug or the name would be longer than PostgreSQL keeps (63 bytes: a longer
  one is cut silently, and two tenants could end up in one schema);
- a NOLOGIN role, the only one with rights on that schema. The service's role is a member
  (NOINHERIT: it holds none of those rights itself) and each request's transaction takes
  the tenant's role, so a query naming another tenant's schema is refused by PostgreSQL;
- the tenant tables, made by the tenant migrations (migrations/tenant/, Alembic, with the
  version table in the tenant's schema), and the revision reached, recorded in the
  registry (`tenants.schema_revision`) in the same transaction.

Creating a tenant is provisioning, not the service's work: it runs as a role that may
create schemas and roles. Every name goes into SQL as a quoted identifier.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.context import SLUG_PATTERN
from app.db import SCHEMA_REVISION_INFO_KEY
from app.errors import AppError

# The revision of the tenant migrations this version of the service was built for.
TENANT_SCHEMA_HEAD = "t0002"
SCHEMA_PREFIX = "tenant_"
MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1
TENANT_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "tenant"


class UnsafeTenantSlug(ValueError):
    """A slug that cannot name a schema of its own."""


class TenantUnavailable(AppError):
    """The tenant exists but its schema is missing or behind this service's migrations."""

    status_code = 503
    code = "tenant_unavailable"


def schema_name_for(slug: str) -> str:
    if not SLUG_PATTERN.fullmatch(slug):
        raise UnsafeTenantSlug(
            f"{slug!r} is not a tenant slug (lower-case letters, digits, inner hyphens)"
        )
    name = SCHEMA_PREFIX + slug.replace("-", "_")
    if len(name.encode()) > MAX_IDENTIFIER_BYTES:
        raise UnsafeTenantSlug(
            f"{slug!r} is too long for a schema of its own "
            f"({MAX_IDENTIFIER_BYTES - len(SCHEMA_PREFIX)} characters at most)"
        )
    return name


def role_name_for(connection: Connection, tenant_id: int) -> str:
    """Roles belong to the whole server, not one database: the database's oid keeps two
    databases' tenant 1 apart (the suite runs one database per worker on one server)."""
    oid = connection.scalar(text("SELECT oid FROM pg_database WHERE datname = current_database()"))
    return f"tenant_{oid}_{tenant_id}"


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def create_schema(
    connection: Connection, tenant_id: int, slug: str, *, service_role: str, group_role: str
) -> str:
    """Create the tenant's role and schema, record them, and migrate the schema to head.

    In the caller's transaction (DDL is transactional in PostgreSQL): a failure leaves
    neither role nor schema nor half a registry row behind.
    """
    schema = schema_name_for(slug)
    role = role_name_for(connection, tenant_id)
    q_schema, q_role = _quoted(connection, schema), _quoted(connection, role)
    connection.execute(text(f"CREATE ROLE {q_role} NOLOGIN"))
    connection.execute(text(f"GRANT {_quoted(connection, group_role)} TO {q_role}"))
    connection.execute(text(f"GRANT {q_role} TO {_quoted(connection, service_role)}"))
    connection.execute(text(f"CREATE SCHEMA {q_schema}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA {q_schema} TO {q_role}"))
    connection.execute(
        text("UPDATE public.tenants SET schema_name = :schema, schema_role = :role WHERE id = :id"),
        {"schema": schema, "role": role, "id": tenant_id},
    )
    migrate_schema(connection, tenant_id, TENANT_SCHEMA_HEAD)
    return schema


def migrate_schema(connection: Connection, tenant_id: int, revision: str) -> None:
    """Bring one tenant's schema to `revision` (up or down) and record it in the registry."""
    row = connection.execute(
        text("SELECT schema_name, schema_role FROM public.tenants WHERE id = :id"),
        {"id": tenant_id},
    ).one()
    config = Config()
    config.set_main_option("script_location", str(TENANT_MIGRATIONS))
    config.attributes.update(
        connection=connection,
        tenant_schema=row.schema_name,
        tenant_role=row.schema_role,
        tenant_id=tenant_id,
    )
    current = connection.scalar(
        text("SELECT schema_revision FROM public.tenants WHERE id = :id"), {"id": tenant_id}
    )
    # The tenant environment puts the schema alone on the search path; put back the caller's.
    search_path = connection.scalar(text("SELECT current_setting('search_path')"))
    down = current is not None and revision != "head" and _is_older(revision, current)
    _run_tenant_migrations(config, revision, down=down)
    connection.execute(text("SELECT set_config('search_path', :path, true)"), {"path": search_path})
    reached = connection.scalar(
        text(f"SELECT version_num FROM {_quoted(connection, row.schema_name)}.alembic_version")
    )
    connection.execute(
        text("UPDATE public.tenants SET schema_revision = :revision WHERE id = :id"),
        {"revision": reached, "id": tenant_id},
    )


@lru_cache(maxsize=1)
def _tenant_scripts() -> ScriptDirectory:
    """The tenant migrations, read once per process: every tenant is migrated with them,
    and reading the folder again (what `alembic.command` does) costs more than the DDL."""
    config = Config()
    config.set_main_option("script_location", str(TENANT_MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _run_tenant_migrations(config: Config, revision: str, *, down: bool) -> None:
    """What `alembic upgrade` / `alembic downgrade` do, on the cached script directory."""
    script = _tenant_scripts()

    def steps(current: Any, _: MigrationContext) -> Any:
        if down:
            return script._downgrade_revs(revision, current)
        return script._upgrade_revs(revision, current)

    with EnvironmentContext(config, script, fn=steps, destination_rev=revision):
        script.run_env()


def _is_older(revision: str, than: str) -> bool:
    below = {rev.revision for rev in _tenant_scripts().iterate_revisions(than, "base")}
    return revision in below and revision != than


def migrate_every_schema(engine: Engine, revision: str = "head") -> dict[str, str]:
    """Bring every tenant's schema to `revision`, each in a transaction of its own.

    A schema whose migration fails is rolled back and left where it was (the service
    refuses that tenant until it is brought up), and the others go on: what each schema
    reached, by slug, or the error that stopped it. As provisioning, never as the service.
    """
    with engine.connect() as connection:
        tenants = connection.execute(
            text("SELECT id, slug FROM public.tenants WHERE schema_name IS NOT NULL ORDER BY id")
        ).all()
    outcome: dict[str, str] = {}
    for tenant in tenants:
        try:
            with engine.begin() as connection:
                migrate_schema(connection, tenant.id, revision)
                reached = connection.scalar(
                    text("SELECT schema_revision FROM public.tenants WHERE id = :id"),
                    {"id": tenant.id},
                )
            outcome[tenant.slug] = str(reached)
        except DBAPIError as exc:
            outcome[tenant.slug] = f"failed: {type(exc.orig).__name__}"
    return outcome


def drop_schema(connection: Connection, schema: str, role: str) -> None:
    """Remove a tenant's schema and role (the suite's clean-up; a tenant's offboarding)."""
    # The role's rights are all on the schema's objects, so they go with it; what is left of
    # the role is its memberships, which DROP ROLE removes.
    connection.execute(text(f"DROP SCHEMA IF EXISTS {_quoted(connection, schema)} CASCADE"))
    connection.execute(text(f"DROP ROLE IF EXISTS {_quoted(connection, role)}"))


def require_current_schema(session: Session) -> None:
    """Refuse (503, the one error shape) a tenant whose schema is missing or not at head.

    Reads what the last apply_tenant found in the registry: no extra statement.
    """
    revision = session.info.get(SCHEMA_REVISION_INFO_KEY)
    if revision == TENANT_SCHEMA_HEAD:
        return
    state = "is not ready yet" if revision is None else "is being upgraded"
    raise TenantUnavailable(
        f"This tenant's data {state}; try again shortly.", headers={"Retry-After": "5"}
    )
