"""Moving stored records back in time, for rules about age (retention, expiry).

The age is set in the database with its own clock (`now()`), the one the service
compares against; in the savepoint mode that is the scenario's transaction start.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.db import apply_tenant
from app.models import ApiKey, IdempotencyKey


def age_idempotency_key(session: Session, tenant_id: int, key: str, age: timedelta) -> None:
    """Make the tenant's idempotency key `age` old, as if it had been used that long ago."""
    apply_tenant(session, tenant_id)
    aged = session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key)
        .values(created_at=func.now() - age)
    )
    assert aged.rowcount == 1, f"no idempotency key {key!r} stored"  # type: ignore[attr-defined]
    session.commit()


def age_api_key_use(session: Session, tenant_id: int, key_id: int, age: timedelta) -> None:
    """Make the tenant's API key last used `age` ago."""
    apply_tenant(session, tenant_id)
    aged = session.execute(
        update(ApiKey)
        .where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id)
        .values(last_used_at=func.now() - age)
    )
    assert aged.rowcount == 1, f"no API key {key_id} stored"  # type: ignore[attr-defined]
    session.commit()


def database_now(session: Session) -> datetime:
    """The database's clock, the one the service writes with."""
    now = session.scalar(select(func.now()))
    assert isinstance(now, datetime)
    return now
