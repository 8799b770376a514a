"""Where a tenant's schema is, under which role, at which revision (schema-per-tenant mode).

With `APP_TENANCY=schemas` each tenant's tables live in a schema of their own (see
app/tenant_schemas.py and migrations/tenant/). The registry says where: the schema's
name, the NOLOGIN role that alone may use it, and the revision its migrations reached
(kept by the runner in the same transaction as the migration, so the service can refuse
a tenant whose schema is behind with one read of this row). All NULL in `rows` mode.

Ids stay unique across tenants in both modes: the tenant schemas' users and API keys take
their ids from sequences here, shared by every schema. An id then names one record in the
whole service, so a request with another tenant's id finds nothing, never a record of the
caller's own tenant that happens to have the same number.

Tenant roles share one group role for what every tenant needs in the shared schema:
reading the registry and the throttle's failed sign-ins (which stay shared: they are
keyed on a digest of the slug as typed, so a tenant that does not exist counts alike).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.roles import service_role, tenant_group_role

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Ids of the tenant schemas' users and API keys (migrations/tenant/), shared by all schemas.
TENANT_ID_SEQUENCES = ("tenant_users_id_seq", "tenant_api_keys_id_seq")


def upgrade() -> None:
    op.add_column("tenants", sa.Column("schema_name", sa.String(63), nullable=True))
    op.add_column("tenants", sa.Column("schema_role", sa.String(63), nullable=True))
    op.add_column("tenants", sa.Column("schema_revision", sa.String(32), nullable=True))
    op.create_unique_constraint("tenants_schema_name_unique", "tenants", ["schema_name"])
    group = tenant_group_role()
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') "
        f"THEN CREATE ROLE {group} NOLOGIN; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {group}")
    op.execute(f"GRANT SELECT ON tenants TO {group}")
    op.execute(f"GRANT SELECT, INSERT, DELETE ON login_failures TO {group}")
    op.execute(f"GRANT UPDATE (failed_at) ON login_failures TO {group}")
    op.execute(f"GRANT USAGE ON SEQUENCE login_failures_id_seq TO {group}")
    for sequence in TENANT_ID_SEQUENCES:
        op.execute(f"CREATE SEQUENCE {sequence} AS bigint")
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {group}")
    # The service switches into tenant roles but holds none of their rights itself: each
    # request's transaction takes one tenant's role (SET LOCAL ROLE), so a query naming
    # another tenant's schema is refused by PostgreSQL. NOINHERIT is what keeps them apart.
    # Only when needed: the role belongs to the whole server, and databases migrated at
    # the same time (one per test worker) must not update its catalog row at once.
    role = service_role()
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}' AND rolinherit) "
        f"THEN ALTER ROLE {role} NOINHERIT; END IF; END $$"
    )


def downgrade() -> None:
    group = tenant_group_role()
    op.execute(f"REVOKE ALL ON login_failures FROM {group}")
    op.execute(f"REVOKE ALL ON tenants FROM {group}")
    op.execute(f"REVOKE USAGE ON SEQUENCE login_failures_id_seq FROM {group}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {group}")
    for sequence in TENANT_ID_SEQUENCES:
        op.execute(f"DROP SEQUENCE {sequence}")
    op.drop_constraint("tenants_schema_name_unique", "tenants")
    for column in ("schema_revision", "schema_role", "schema_name"):
        op.drop_column("tenants", column)
