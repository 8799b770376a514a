"""The database layer alone: run SQL as the service's role, in one tenant's context or none.

Inside a savepoint that is rolled back, so the role switch (`SET LOCAL ROLE`) and the
tenant setting end with it. The role is set even when the suite connects as the BYPASSRLS
role (`--without-rls`): what runs here proves the database layer whatever the
application does.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import TENANT_SETTING
from harness.provision import SERVICE_ROLE
from harness.schema_isolation import Attempt

INSUFFICIENT_PRIVILEGE = "42501"
# Deliberately no WHERE clause: the database alone must keep tenants apart.
UNFILTERED_READS = {
    "users": "SELECT tenant_id FROM users",
    "counters": "SELECT tenant_id FROM counters",
}


@contextmanager
def as_service_role(session: Session, tenant_id: int | None) -> Iterator[Connection]:
    nested = session.begin_nested()
    try:
        connection = session.connection()
        connection.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
        value = "" if tenant_id is None else str(tenant_id)
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": TENANT_SETTING, "value": value}
        )
        assert connection.scalar(text("SELECT current_user")) == SERVICE_ROLE
        yield connection
    finally:
        nested.rollback()


def tenant_ids_read(session: Session, records: str, tenant_id: int | None) -> list[int]:
    """The tenant ids of every row of `records` the service's role sees, with no filter."""
    with as_service_role(session, tenant_id) as connection:
        return list(connection.scalars(text(UNFILTERED_READS[records])))


def insert_user_as_service_role(session: Session, context_tenant_id: int, owner_id: int) -> Attempt:
    """Try to file a user under `owner_id` while in `context_tenant_id`'s context."""
    try:
        _insert(session, context_tenant_id, owner_id)
    except DBAPIError as exc:
        return Attempt("users", exc)
    return Attempt("users", None)


def _insert(session: Session, context_tenant_id: int, owner_id: int) -> None:
    with as_service_role(session, context_tenant_id) as connection:
        connection.execute(
            text(
                "INSERT INTO users (tenant_id, name, email, role) "
                "VALUES (:tenant_id, 'Mallory', 'mallory@example.com', 'member')"
            ),
            {"tenant_id": owner_id},
        )


def unfiltered_read_as_service(connection: Connection, records: str) -> list[int]:
    """The tenant ids of all `records` on `connection`, read with no tenant filter as the
    service's own role, in whatever tenant context the connection carries."""
    if connection.scalar(text("SELECT session_user")) != SERVICE_ROLE:
        # `--without-rls`: the service connects as a role that bypasses row-level security.
        # (session_user: a role the last request left set must stay visible, not be undone.)
        connection.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
    return list(connection.scalars(text(UNFILTERED_READS[records])))
