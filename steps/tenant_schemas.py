"""A schema per tenant (TEST_TENANCY=schemas): its provisioning, its migrations, its context.

Only the schema-only scenarios (@schemas_only) use these; in rows mode they are deselected.
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from pytest_bdd import given, then, when
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.auth import tokens
from app.settings import Settings
from app.tenant_schemas import TENANT_SCHEMA_HEAD, UnsafeTenantSlug, migrate_schema
from harness.api import ServiceApi
from harness.auth import bearer
from harness.factories import TenantFactory, as_provisioning
from harness.phrases import phrase
from harness.rls import unfiltered_read_as_service
from harness.world import AppTweaks, World

# The revision before head: a schema there has missed the latest tenant migration.
ONE_BEHIND = "t0001"


@pytest.fixture
def provisioning_refusal() -> Iterator[list[UnsafeTenantSlug]]:
    yield []


@given("the service has a single database connection")
def single_connection(app_tweaks: AppTweaks) -> None:
    # Every request then runs on the same pooled connection, one after another.
    app_tweaks.set(db_pool_size=1, db_max_overflow=0)


@given(phrase("the tenant {name:Name}, whose schema is not created yet"))
def tenant_without_schema(world: World, name: str) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name, with_schema=False)


@given(phrase("{tenant:Name}'s schema is one migration behind"))
def schema_behind(world: World, db_session: Session, tenant: str) -> None:
    # The real tenant migrations, run down one revision, as an upgrade that has not yet
    # reached this schema would leave it. As provisioning, whoever was seeded last.
    as_provisioning(db_session)
    migrate_schema(db_session.connection(), world.tenant(tenant).id, ONE_BEHIND)
    db_session.commit()


@when(phrase("an admin of {tenant:Name} with a valid token lists its users"))
def admin_token_lists(
    world: World, api: ServiceApi, service_settings: Settings, tenant: str
) -> None:
    slug = world.tenant(tenant).slug
    token = tokens.issue(service_settings, user_id=1, tenant=slug, role="admin")
    world.response = api.list_users(slug, bearer(token))


@when(
    phrase(
        "the service's next work on that connection reads all {records:Words} with no tenant filter"
    )
)
def next_work_on_connection(world: World, app: FastAPI, records: str) -> None:
    """What a request that forgot its tenant, or a background job, would see on the pooled
    connection the last request gave back: the service's own engine, its only connection."""
    engine: Engine = app.state.engine
    assert engine.pool.checkedout() == 0, "the last request still holds its connection"  # type: ignore[attr-defined]
    with engine.connect() as connection:
        world.rows_read = unfiltered_read_as_service(connection, records)


@when(phrase("{tenant:Name} lists its users while its schema is being migrated"))
def list_while_migrating(world: World, api: ServiceApi, admin_engine: Engine, tenant: str) -> None:
    tenant_id = world.tenant(tenant).id
    with admin_engine.connect() as migrating, migrating.begin() as migration:
        # The upgrade runs, holding what it changes, and has not committed yet.
        migrate_schema(migrating, tenant_id, TENANT_SCHEMA_HEAD)
        world.response = api.list_users(world.tenant(tenant).slug)
        migration.rollback()


@when(phrase('provisioning creates a tenant with the slug "{slug:Text}"'))
def provision_tenant(world: World, provisioning_refusal: list[UnsafeTenantSlug], slug: str) -> None:
    try:
        world.tenants["New"] = TenantFactory(slug=slug, name="New")
    except UnsafeTenantSlug as exc:
        provisioning_refusal.append(exc)


@then("provisioning refuses the slug, leaving no tenant, schema or role behind")
def provisioning_refused(
    world: World, db_session: Session, provisioning_refusal: list[UnsafeTenantSlug]
) -> None:
    assert provisioning_refusal, f"provisioning accepted it: {world.tenants.get('New')}"
    db_session.rollback()
    tenants = db_session.scalar(text("SELECT count(*) FROM tenants"))
    schemas = db_session.scalar(
        text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'")
    )
    roles = db_session.scalar(
        text(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'tenant\\_' || "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) || '\\_%'"
        )
    )
    # The Background's tenants, each with its schema and role; nothing more.
    assert (tenants, schemas, roles) == (len(world.tenants), len(world.tenants), len(world.tenants))
