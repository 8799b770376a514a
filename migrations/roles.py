"""The service's database role, shared by the migrations that grant to it."""

import os

from alembic import context


def service_role() -> str:
    """Name of the role the service connects as (owns nothing, no BYPASSRLS)."""
    role = context.config.attributes.get("service_role") or os.environ.get(
        "APP_DB_SERVICE_ROLE", "app_service"
    )
    if not role.replace("_", "").isalnum():
        raise SystemExit(f"Refusing odd role name {role!r}")
    return role


def tenant_group_role() -> str:
    """The group every tenant role (schema-per-tenant mode) belongs to: the shared schema's
    registry and throttle, nothing of any tenant's own schema."""
    return f"{service_role()}_tenants"


def tenant_policy_sql(table: str) -> list[str]:
    """ENABLE and FORCE RLS on a tenant-scoped table, keyed on the per-transaction setting.

    FORCE makes the policy bind the table owner too; NULLIF turns the empty value a
    reverted setting leaves behind into NULL, so "no tenant" sees nothing.
    """
    tenant = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})",
    ]
