"""What the tenant migrations grant to the tenant's own role, and nothing to anyone else."""

import sqlalchemy as sa
from alembic import context, op


def rows_of_this_tenant_only() -> sa.CheckConstraint:
    """A row in this schema names this schema's tenant: one filed under another tenant's id
    is refused by the database, as row-level security refuses it in the shared tables."""
    tenant_id = int(context.config.attributes["tenant_id"])
    return sa.CheckConstraint(f"tenant_id = {tenant_id}", name="rows_of_this_tenant_only")


def grant_to_tenant(*tables: str) -> None:
    """The tenant's role reads and writes its own tables."""
    preparer = op.get_bind().dialect.identifier_preparer
    role = preparer.quote_identifier(context.config.attributes["tenant_role"])
    for table in tables:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
    # The service checks the revision in the registry, but reading it here is harmless.
    op.execute(f"GRANT SELECT ON alembic_version TO {role}")
