"""Provisioning a tenant's schema, directly (in either TEST_TENANCY): what the schema-only
scenarios rely on, and the parts they cannot name in business words."""

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.db import SCHEMA_CONTEXT, SCHEMA_REVISION_INFO_KEY
from app.errors import AppError
from app.tenant_schemas import (
    TENANT_MIGRATIONS,
    TENANT_SCHEMA_HEAD,
    TenantUnavailable,
    UnsafeTenantSlug,
    create_schema,
    drop_schema,
    migrate_every_schema,
    migrate_schema,
    require_current_schema,
    schema_name_for,
)
from harness.factories import TenantFactory, as_provisioning
from harness.provision import SERVICE_ROLE, TENANT_GROUP_ROLE


def test_a_slug_names_its_schema_with_underscores_for_hyphens() -> None:
    assert schema_name_for("acme-corp") == "tenant_acme_corp"
    assert schema_name_for("a" * 56) == "tenant_" + "a" * 56


@pytest.mark.parametrize("slug", ["", "Acme", "acme_corp", "-acme", 'a"b', "a" * 57, "é"])
def test_a_slug_that_cannot_name_a_schema_of_its_own_is_refused(slug: str) -> None:
    with pytest.raises(UnsafeTenantSlug):
        schema_name_for(slug)


def test_the_service_is_built_for_the_newest_tenant_migration() -> None:
    newest = sorted(path.name for path in (TENANT_MIGRATIONS / "versions").glob("t*.py"))[-1]
    assert newest.startswith(TENANT_SCHEMA_HEAD + "_"), newest


def _registry(session: Session, tenant_id: int) -> tuple[str | None, str | None, str | None]:
    row = session.execute(
        text("SELECT schema_name, schema_role, schema_revision FROM tenants WHERE id = :id"),
        {"id": tenant_id},
    ).one()
    return row.schema_name, row.schema_role, row.schema_revision


def test_provisioning_makes_migrates_records_and_takes_down_a_schema(db_session: Session) -> None:
    tenant = TenantFactory(slug="acme-corp", name="Acme", with_schema=False)
    as_provisioning(db_session)
    connection = db_session.connection()
    schema = create_schema(
        connection, tenant.id, tenant.slug, service_role=SERVICE_ROLE, group_role=TENANT_GROUP_ROLE
    )
    name, role, revision = _registry(db_session, tenant.id)
    assert (name, revision) == (schema, TENANT_SCHEMA_HEAD)
    assert role is not None
    version = connection.scalar(text(f'SELECT version_num FROM "{schema}".alembic_version'))
    assert version == TENANT_SCHEMA_HEAD

    migrate_schema(connection, tenant.id, "t0001")
    assert _registry(db_session, tenant.id)[2] == "t0001"
    assert (
        connection.scalar(text("SELECT to_regclass(:t)"), {"t": f"{schema}.idempotency_keys"})
        is None
    )
    migrate_schema(connection, tenant.id, "head")
    assert _registry(db_session, tenant.id)[2] == TENANT_SCHEMA_HEAD

    # The service's statement takes the tenant's search path and role for the transaction.
    nested = db_session.begin_nested()
    connection.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
    found = connection.execute(SCHEMA_CONTEXT, {"tenant_id": tenant.id}).one()
    assert found.schema_revision == TENANT_SCHEMA_HEAD
    assert connection.scalar(text("SELECT current_user")) == role
    assert connection.scalar(text("SELECT current_schema()")) == schema
    nested.rollback()

    as_provisioning(db_session)
    drop_schema(connection, schema, role)
    assert (
        connection.scalar(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
        is None
    )
    assert connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}) is None


def test_only_the_tenants_own_role_has_rights_on_its_schema(db_session: Session) -> None:
    """The service role (NOINHERIT) holds no right on any tenant's schema; each tenant's
    role holds rights on its own schema's tables and no other's."""
    acme = TenantFactory(slug="acme", name="Acme", with_schema=False)
    globex = TenantFactory(slug="globex", name="Globex", with_schema=False)
    as_provisioning(db_session)
    connection = db_session.connection()
    for tenant in (acme, globex):
        create_schema(
            connection,
            tenant.id,
            tenant.slug,
            service_role=SERVICE_ROLE,
            group_role=TENANT_GROUP_ROLE,
        )
    roles: dict[str, str] = dict(
        connection.execute(
            text("SELECT slug, schema_role FROM tenants WHERE schema_role IS NOT NULL")
        ).all()
    )

    def may(role: str, schema: str, right: str = "SELECT") -> bool:
        return bool(
            connection.scalar(
                text(
                    "SELECT has_schema_privilege(:role, :schema, 'USAGE') "
                    "AND has_table_privilege(:role, :schema || '.users', :right)"
                ),
                {"role": role, "schema": schema, "right": right},
            )
        )

    assert not may(SERVICE_ROLE, "tenant_acme")
    assert not may(SERVICE_ROLE, "tenant_globex")
    assert may(roles["acme"], "tenant_acme", "INSERT")
    assert not may(roles["acme"], "tenant_globex")
    assert not may(roles["globex"], "tenant_acme")


@pytest.mark.committed_data
def test_an_upgrade_that_fails_for_one_schema_leaves_it_behind_and_reaches_the_others(
    db_session: Session, seeder_engine: Engine
) -> None:
    acme = TenantFactory(slug="acme", name="Acme", with_schema=False)
    globex = TenantFactory(slug="globex", name="Globex", with_schema=False)
    as_provisioning(db_session)
    for tenant in (acme, globex):
        create_schema(
            db_session.connection(),
            tenant.id,
            tenant.slug,
            service_role=SERVICE_ROLE,
            group_role=TENANT_GROUP_ROLE,
        )
        migrate_schema(db_session.connection(), tenant.id, "t0001")
    # Something in Globex's schema that the next migration runs into.
    db_session.execute(text("CREATE TABLE tenant_globex.idempotency_keys (x int)"))
    db_session.commit()

    outcome = migrate_every_schema(seeder_engine)

    assert outcome == {"acme": TENANT_SCHEMA_HEAD, "globex": "failed: DuplicateTable"}
    assert _registry(db_session, acme.id)[2] == TENANT_SCHEMA_HEAD
    assert _registry(db_session, globex.id)[2] == "t0001"
    db_session.commit()


@pytest.mark.parametrize(
    ("revision", "says"), [(None, "is not ready yet"), ("t0001", "is being upgraded")]
)
def test_a_schema_missing_or_behind_is_refused_in_the_one_error_shape(
    db_session: Session, revision: str | None, says: str
) -> None:
    db_session.info[SCHEMA_REVISION_INFO_KEY] = revision
    with pytest.raises(TenantUnavailable) as refused:
        require_current_schema(db_session)
    assert isinstance(refused.value, AppError) and refused.value.status_code == 503
    assert says in refused.value.message and refused.value.headers == {"Retry-After": "5"}
    db_session.info[SCHEMA_REVISION_INFO_KEY] = TENANT_SCHEMA_HEAD
    require_current_schema(db_session)
