"""Failed sign-ins counted per account digest, whether or not the tenant exists.

`login_attempts` needed the tenant's row (a foreign key, RLS by tenant), so a tenant
that does not exist could not be throttled like one that does, and a 429 told the two
apart. `login_failures` keys a failure on a digest of (tenant slug as typed, email): no
tenant row, no email stored, so no RLS is needed. The old rows are not carried over:
they count for a 15-minute window only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.roles import service_role, tenant_policy_sql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column(
            "failed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("login_failures_by_account", "login_failures", ["account", "failed_at"])
    op.create_index("login_failures_by_age", "login_failures", ["failed_at"])
    role = service_role()
    op.execute(f"GRANT SELECT, INSERT, DELETE ON login_failures TO {role}")
    # The sweep's SELECT ... FOR UPDATE SKIP LOCKED needs UPDATE on some column; the
    # service never updates a row, so one column, the least useful to change.
    op.execute(f"GRANT UPDATE (failed_at) ON login_failures TO {role}")
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    op.execute(f"REVOKE ALL ON login_attempts FROM {role}")
    op.drop_table("login_attempts")


def downgrade() -> None:
    role = service_role()
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.BigInteger,
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column(
            "attempted_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
    )
    op.create_index(
        "login_attempts_by_account", "login_attempts", ["tenant_id", "email", "attempted_at"]
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempts TO {role}")
    for statement in tenant_policy_sql("login_attempts"):
        op.execute(statement)
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")
    op.execute(f"REVOKE ALL ON login_failures FROM {role}")
    op.drop_table("login_failures")
