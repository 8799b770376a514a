"""Named counters per tenant. Increments are one atomic statement: no read-modify-write.

A tenant may keep at most `counters_max` counters (a setting): counters are never
deleted, so without a cap any caller could grow the table without end, one new name
per request. Counters that exist go up whatever the cap.
"""

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.db import run_write
from app.errors import Conflict, NotFound
from app.locks import lock_tenant_resource
from app.models import Counter

LOCK = "counters"


class CounterLimitReached(Conflict):
    code = "counter_limit_reached"


def increment(session: Session, tenant_id: int, name: str, *, max_counters: int) -> int:
    return run_write(session, lambda: _increment_once(session, tenant_id, name, max_counters))


def _increment_once(session: Session, tenant_id: int, name: str, max_counters: int) -> int:
    _ensure_room(session, tenant_id, [name], max_counters)
    upsert = (
        insert(Counter)
        .values(tenant_id=tenant_id, name=name, value=1)
        .on_conflict_do_update(
            index_elements=[Counter.tenant_id, Counter.name],
            set_={"value": Counter.value + 1},
        )
        .returning(Counter.value)
    )
    value: int = session.execute(upsert).scalar_one()
    session.commit()
    return value


def increment_many(
    session: Session, tenant_id: int, names: list[str], *, max_counters: int
) -> list[Counter]:
    """Each named counter up by one, all in one transaction.

    The rows are locked in one fixed order (sorted by name) whatever order the caller
    gave: two requests naming the same counters in opposite orders would otherwise
    each hold one row and wait for the other's, a deadlock.
    """
    _ensure_room(session, tenant_id, names, max_counters)
    values = [{"tenant_id": tenant_id, "name": name, "value": 1} for name in sorted(names)]
    upsert = (
        insert(Counter)
        .values(values)
        .on_conflict_do_update(
            index_elements=[Counter.tenant_id, Counter.name],
            set_={"value": Counter.value + 1},
        )
        .returning(Counter.name, Counter.value)
    )
    rows = session.execute(upsert).all()
    session.commit()
    return [Counter(name=row.name, value=row.value) for row in sorted(rows)]


def _ensure_room(
    session: Session, tenant_id: int, names: Collection[str], max_counters: int
) -> None:
    """Refuse (409, nothing stored) when starting the new ones among `names` would pass the cap.

    Only a request that starts a counter takes the tenant's lock, and holds it until its
    insert commits: two requests at once cannot both start the last counter allowed.
    Increments of existing counters never wait for it.
    """
    if not _new_names(session, tenant_id, names):
        return
    lock_tenant_resource(session, LOCK, tenant_id)
    new = _new_names(session, tenant_id, names)  # again: another request may have started some
    used = session.scalar(
        select(func.count()).select_from(Counter).where(Counter.tenant_id == tenant_id)
    )
    if new and (used or 0) + len(new) > max_counters:
        session.rollback()  # ends the transaction, and with it the lock
        raise CounterLimitReached(
            f"This tenant already has {used} of its {max_counters} counters; "
            f"{len(new)} more would be too many. Existing counters still go up."
        )


def _new_names(session: Session, tenant_id: int, names: Collection[str]) -> set[str]:
    existing = session.scalars(
        select(Counter.name).where(Counter.tenant_id == tenant_id, Counter.name.in_(names))
    )
    return set(names) - set(existing)


def get_counter(session: Session, tenant_id: int, name: str) -> Counter:
    counter = session.scalar(
        select(Counter).where(Counter.tenant_id == tenant_id, Counter.name == name)
    )
    if counter is None:
        raise NotFound(f"No counter '{name}'.")
    return counter
