"""Idempotency keys for create requests, tenant-scoped with row-level security.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.roles import service_role, tenant_policy_sql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "tenant_id",
            sa.BigInteger,
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,  # leads the primary key: no index of its own needed
        ),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.SmallInteger, nullable=True),
        sa.Column("response_body", sa.Text, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    role = service_role()
    # DELETE for a future sweep of old keys; UPDATE to store the answer after the work.
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO {role}")
    for statement in tenant_policy_sql("idempotency_keys"):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"REVOKE ALL ON idempotency_keys FROM {service_role()}")
    op.drop_table("idempotency_keys")
