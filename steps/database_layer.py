"""The database layer alone: the service's role reads and writes with no tenant filter."""

from pytest_bdd import then, when
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.errors import sqlstate
from harness.phrases import phrase
from harness.rls import INSUFFICIENT_PRIVILEGE, insert_user_as_service_role, tenant_ids_read
from harness.world import World


@when(
    phrase(
        "the service's database role reads all {records:Words} in {tenant:Name}'s context, "
        "with no tenant filter"
    )
)
def read_unfiltered(world: World, db_session: Session, records: str, tenant: str) -> None:
    world.rows_read = tenant_ids_read(db_session, records, world.tenant(tenant).id)


@when(phrase("the service's database role reads all {records:Words} outside any tenant's context"))
def read_without_context(world: World, db_session: Session, records: str) -> None:
    world.rows_read = tenant_ids_read(db_session, records, None)


@when(
    phrase(
        "the service's database role adds a user for {other:Name} while in {tenant:Name}'s context"
    )
)
def insert_for_other(world: World, db_session: Session, other: str, tenant: str) -> None:
    try:
        insert_user_as_service_role(db_session, world.tenant(tenant).id, world.tenant(other).id)
    except DBAPIError as exc:
        world.refusal = exc


@then(phrase("{count:d} {records:Words} come back, all of them {tenant:Name}'s"))
def rows_all_of(world: World, count: int, records: str, tenant: str) -> None:
    assert world.rows_read == [world.tenant(tenant).id] * count


@then(phrase("no {records:Words} come back"))
def no_rows(world: World, records: str) -> None:
    assert world.rows_read == []


@then("the database refuses the row")
def database_refuses(world: World) -> None:
    refusal = world.refusal
    assert refusal is not None, "the database accepted a row filed under another tenant"
    assert sqlstate(refusal) == INSUFFICIENT_PRIVILEGE, refusal
    assert "row-level security" in str(refusal.orig)
