"""The service role may only read tenants: no INSERT, no UPDATE of the seat limit.

0001 granted INSERT (for seeding) and UPDATE (seat_limit) (so that the seat lock,
SELECT ... FOR UPDATE on the tenant row, was allowed). Seats are now counted under
an advisory lock, which needs no grant, and creating tenants is provisioning, done
by another role. So a compromised service can no longer raise its own seat limit
or invent tenants. The identity sequence of tenants goes with INSERT.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from migrations.roles import service_role

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    role = service_role()
    op.execute(f"REVOKE INSERT, UPDATE ON tenants FROM {role}")
    op.execute(f"REVOKE UPDATE (seat_limit) ON tenants FROM {role}")
    op.execute(f"REVOKE USAGE ON SEQUENCE tenants_id_seq FROM {role}")


def downgrade() -> None:
    role = service_role()
    op.execute(f"GRANT INSERT ON tenants TO {role}")
    op.execute(f"GRANT UPDATE (seat_limit) ON tenants TO {role}")
    op.execute(f"GRANT USAGE ON SEQUENCE tenants_id_seq TO {role}")
