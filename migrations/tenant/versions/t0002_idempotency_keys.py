"""A tenant's idempotency keys, with the index the sweep of expired keys reads.

Revision ID: t0002
Revises: t0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.tenant.grants import grant_to_tenant, rows_of_this_tenant_only

revision: str = "t0002"
down_revision: str | None = "t0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "tenant_id",
            sa.BigInteger,
            sa.ForeignKey("public.tenants.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status_code", sa.SmallInteger, nullable=True),
        sa.Column("response_body", sa.Text, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        rows_of_this_tenant_only(),
    )
    op.create_index("idempotency_keys_by_age", "idempotency_keys", ["tenant_id", "created_at"])
    grant_to_tenant("idempotency_keys")


def downgrade() -> None:
    op.drop_table("idempotency_keys")
