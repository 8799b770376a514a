"""The database layer alone: queries with no tenant filter, run as the service's role.

Each check runs inside a savepoint that is rolled back, so the role switch
(`SET LOCAL ROLE`) and the tenant setting end with it. The role is set even when
the suite connects as the BYPASSRLS role (`--without-rls`): these scenarios prove
the database layer whatever the application does.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from pytest_bdd import parsers, then, when
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import TENANT_SETTING
from harness.provision import SERVICE_ROLE
from harness.world import World

INSUFFICIENT_PRIVILEGE = "42501"
# Deliberately no WHERE clause: the database alone must keep tenants apart.
UNFILTERED = {
    "users": "SELECT tenant_id FROM users",
    "counters": "SELECT tenant_id FROM counters",
}


@contextmanager
def as_service_role(db_session: Session, tenant_id: int | None) -> Iterator[Connection]:
    nested = db_session.begin_nested()
    try:
        connection = db_session.connection()
        connection.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
        value = "" if tenant_id is None else str(tenant_id)
        connection.execute(
            text("SELECT set_config(:name, :value, true)"), {"name": TENANT_SETTING, "value": value}
        )
        assert connection.scalar(text("SELECT current_user")) == SERVICE_ROLE
        yield connection
    finally:
        nested.rollback()


@when(
    parsers.parse(
        "the service's database role reads all {records} in {tenant}'s context, "
        "with no tenant filter"
    )
)
def read_unfiltered(world: World, db_session: Session, records: str, tenant: str) -> None:
    with as_service_role(db_session, world.tenant(tenant).id) as connection:
        world.snapshots["rows"] = list(connection.scalars(text(UNFILTERED[records])))


@when(parsers.parse("the service's database role reads all {records} outside any tenant's context"))
def read_without_context(world: World, db_session: Session, records: str) -> None:
    with as_service_role(db_session, None) as connection:
        world.snapshots["rows"] = list(connection.scalars(text(UNFILTERED[records])))


@when(
    parsers.parse("the service's database role adds a user for {other} while in {tenant}'s context")
)
def insert_for_other(world: World, db_session: Session, other: str, tenant: str) -> None:
    world.snapshots["refusal"] = None
    try:
        with as_service_role(db_session, world.tenant(tenant).id) as connection:
            connection.execute(
                text(
                    "INSERT INTO users (tenant_id, name, email, role) "
                    "VALUES (:tenant_id, 'Mallory', 'mallory@example.com', 'member')"
                ),
                {"tenant_id": world.tenant(other).id},
            )
    except DBAPIError as exc:
        world.snapshots["refusal"] = exc


@then(parsers.parse("{count:d} {records} come back, all of them {tenant}'s"))
def rows_all_of(world: World, count: int, records: str, tenant: str) -> None:
    assert world.snapshots["rows"] == [world.tenant(tenant).id] * count


@then(parsers.parse("no {records} come back"))
def no_rows(world: World, records: str) -> None:
    assert world.snapshots["rows"] == []


@then("the database refuses the row")
def database_refuses(world: World) -> None:
    refusal = world.snapshots["refusal"]
    assert refusal is not None, "the database accepted a row filed under another tenant"
    assert refusal.orig.sqlstate == INSUFFICIENT_PRIVILEGE, refusal
    assert "row-level security" in str(refusal.orig)
