"""A tenant's people, counters and API keys, in the tenant's own schema.

The same tables as the shared schema's (migrations/versions 0001-0005), tenant_id and
all: the service's queries are the same in both modes. The tenant_id still points at the
registry in the shared schema, and ids come from the shared schema's sequences (0008).

Revision ID: t0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.tenant.grants import grant_to_tenant, rows_of_this_tenant_only

revision: str = "t0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_id(*, primary_key: bool = False) -> sa.Column:
    return sa.Column(
        "tenant_id",
        sa.BigInteger,
        sa.ForeignKey("public.tenants.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
        index=True,
    )


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def _shared_id(table: str) -> sa.Column:
    """Ids from the shared schema's sequence (0008): unique across every tenant's schema."""
    return sa.Column(
        "id",
        sa.BigInteger,
        primary_key=True,
        server_default=sa.text(f"nextval('public.tenant_{table}_id_seq')"),
    )


def upgrade() -> None:
    op.create_table(
        "users",
        _shared_id("users"),
        _tenant_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        _created_at(),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("tenant_id", "email", name="users_email_unique_per_tenant"),
        sa.CheckConstraint("role IN ('admin', 'member')", name="users_role_known"),
        rows_of_this_tenant_only(),
    )
    op.create_table(
        "counters",
        _tenant_id(primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
        rows_of_this_tenant_only(),
    )
    op.create_table(
        "api_keys",
        _shared_id("api_keys"),
        _tenant_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        _created_at(),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("tenant_id", "prefix", name="api_keys_prefix_unique_per_tenant"),
        sa.CheckConstraint("role IN ('admin', 'member')", name="api_keys_role_known"),
        rows_of_this_tenant_only(),
    )
    grant_to_tenant("users", "counters", "api_keys")


def downgrade() -> None:
    for table in ("api_keys", "counters", "users"):
        op.drop_table(table)
