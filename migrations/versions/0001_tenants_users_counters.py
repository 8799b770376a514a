"""Tenants, users and counters, with row-level security and the service role's grants.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.roles import service_role, tenant_policy_sql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_SCOPED = ("users", "counters")


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("seat_limit", sa.Integer, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("seat_limit >= 0", name="seat_limit_not_negative"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "tenant_id",
            sa.BigInteger,
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("tenant_id", "email", name="users_email_unique_per_tenant"),
        sa.CheckConstraint("role IN ('admin', 'member')", name="users_role_known"),
    )
    op.create_table(
        "counters",
        sa.Column(
            "tenant_id",
            sa.BigInteger,
            sa.ForeignKey("tenants.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )

    role = service_role()
    # Created NOLOGIN when missing: operations give it LOGIN and a password.
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
    )
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    # Tenants: read to resolve the header; insert for provisioning; UPDATE on the seat
    # limit only, which is also what SELECT ... FOR UPDATE (the seat lock) requires.
    op.execute(f"GRANT SELECT, INSERT ON tenants TO {role}")
    op.execute(f"GRANT UPDATE (seat_limit) ON tenants TO {role}")
    for table in TENANT_SCOPED:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {role}")
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}")


def downgrade() -> None:
    role = service_role()
    for table in ("counters", "users", "tenants"):
        op.execute(f"REVOKE ALL ON {table} FROM {role}")
        op.drop_table(table)
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {role}")
