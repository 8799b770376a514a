"""What the database holds for one tenant, read through the scenario's session.

Plain column reads (not ORM objects), so nothing stale from the session's identity
map can hide a change the service made. Each read ends its transaction: in the
savepoint mode that only releases a savepoint.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import apply_tenant
from app.models import Counter, User


def users_of(session: Session, tenant_id: int) -> list[dict[str, Any]]:
    apply_tenant(session, tenant_id)
    rows = session.execute(
        select(User.id, User.name, User.email, User.role, User.invited_at)
        .where(User.tenant_id == tenant_id)
        .order_by(User.id)
    )
    result = [dict(row) for row in rows.mappings()]
    session.commit()
    return result


def counters_of(session: Session, tenant_id: int) -> dict[str, int]:
    apply_tenant(session, tenant_id)
    rows = session.execute(
        select(Counter.name, Counter.value).where(Counter.tenant_id == tenant_id)
    ).all()
    session.commit()
    return {row.name: row.value for row in rows}


def tenant_state(session: Session, tenant_id: int) -> dict[str, Any]:
    return {"users": users_of(session, tenant_id), "counters": counters_of(session, tenant_id)}
