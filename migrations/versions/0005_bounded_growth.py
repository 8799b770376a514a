"""Bounded growth: an index for sweeping expired idempotency keys.

Each claim of an Idempotency-Key deletes a batch of the tenant's expired keys, oldest
first; this index makes that a short range scan instead of a read of every key the
tenant holds. (The caps on API keys and counters need no schema change: they are
settings, checked under a per-tenant advisory lock.)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("idempotency_keys_by_age", "idempotency_keys", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("idempotency_keys_by_age", table_name="idempotency_keys")
