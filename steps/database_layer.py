"""The database layer alone: the service's role reads and writes with no tenant filter.

One set of business words, two meanings (TEST_TENANCY): in rows mode row-level security
on shared tables (harness.rls); in schemas mode the tenant's schema and role, with every
other tenant's schema named outright as well (harness.schema_isolation).
"""

from pytest_bdd import then, when
from sqlalchemy.orm import Session

from app.errors import sqlstate
from harness import rls, schema_isolation
from harness.phrases import phrase
from harness.world import World


def _reads(tenancy: str, session: Session, records: str, tenant_id: int | None) -> list[int]:
    if tenancy == "schemas":
        return schema_isolation.tenant_ids_read(session, records, tenant_id)
    return rls.tenant_ids_read(session, records, tenant_id)


@when(
    phrase(
        "the service's database role reads all {records:Words} in {tenant:Name}'s context, "
        "with no tenant filter"
    )
)
def read_unfiltered(
    world: World, db_session: Session, tenancy: str, records: str, tenant: str
) -> None:
    world.rows_read = _reads(tenancy, db_session, records, world.tenant(tenant).id)


@when(phrase("the service's database role reads all {records:Words} outside any tenant's context"))
def read_without_context(world: World, db_session: Session, tenancy: str, records: str) -> None:
    world.rows_read = _reads(tenancy, db_session, records, None)


@when(
    phrase(
        "the service's database role adds a user for {other:Name} while in {tenant:Name}'s context"
    )
)
def insert_for_other(
    world: World, db_session: Session, tenancy: str, other: str, tenant: str
) -> None:
    context, owner = world.tenant(tenant).id, world.tenant(other).id
    if tenancy == "schemas":
        world.database_attempts = schema_isolation.insert_user_as_service_role(
            db_session, context, owner
        )
        return
    world.database_attempts = [rls.insert_user_as_service_role(db_session, context, owner)]


@then(phrase("{count:d} {records:Words} come back, all of them {tenant:Name}'s"))
def rows_all_of(world: World, count: int, records: str, tenant: str) -> None:
    assert world.rows_read == [world.tenant(tenant).id] * count


@then(phrase("no {records:Words} come back"))
def no_rows(world: World, records: str) -> None:
    assert world.rows_read == []


@then("the database refuses the row")
def database_refuses(world: World, tenancy: str) -> None:
    assert world.database_attempts, "no attempt was made"
    for attempt in world.database_attempts:
        refusal = attempt.refusal
        assert refusal is not None, (
            f"the database accepted a row filed under another tenant: {attempt.what}"
        )
        if tenancy == "schemas":
            # Another tenant's schema: no privilege; its id in our own schema: the check.
            expected = {rls.INSUFFICIENT_PRIVILEGE, schema_isolation.CHECK_VIOLATION}
            assert sqlstate(refusal) in expected, refusal
        else:
            assert sqlstate(refusal) == rls.INSUFFICIENT_PRIVILEGE, refusal
            assert "row-level security" in str(refusal.orig)
