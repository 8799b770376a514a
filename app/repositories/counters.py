"""Named counters per tenant. Increments are one atomic statement: no read-modify-write."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db import run_write
from app.errors import NotFound
from app.models import Counter


def increment(session: Session, tenant_id: int, name: str) -> int:
    return run_write(session, lambda: _increment_once(session, tenant_id, name))


def _increment_once(session: Session, tenant_id: int, name: str) -> int:
    stmt = insert(Counter).values(tenant_id=tenant_id, name=name, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Counter.tenant_id, Counter.name],
        set_={"value": Counter.value + 1},
    ).returning(Counter.value)
    value = session.execute(stmt).scalar_one()
    session.commit()
    return value


def increment_many(session: Session, tenant_id: int, names: list[str]) -> list[Counter]:
    """Each named counter up by one, all in one transaction.

    The rows are locked in one fixed order (sorted by name) whatever order the caller
    gave: two requests naming the same counters in opposite orders would otherwise
    each hold one row and wait for the other's, a deadlock.
    """
    values = [{"tenant_id": tenant_id, "name": name, "value": 1} for name in sorted(names)]
    stmt = insert(Counter).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Counter.tenant_id, Counter.name],
        set_={"value": Counter.value + 1},
    ).returning(Counter.name, Counter.value)
    rows = session.execute(stmt).all()
    session.commit()
    return [Counter(name=row.name, value=row.value) for row in sorted(rows)]


def get_counter(session: Session, tenant_id: int, name: str) -> Counter:
    counter = session.scalar(
        select(Counter).where(Counter.tenant_id == tenant_id, Counter.name == name)
    )
    if counter is None:
        raise NotFound(f"No counter '{name}'.")
    return counter
