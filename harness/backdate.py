"""Moving stored records back in time, for rules about age (retention, expiry).

The age is set in the database with its own clock (`now()`), the one the service
compares against; in the savepoint mode that is the scenario's transaction start.
"""

from datetime import datetime, timedelta

from sqlalchemy import Update, func, select, update
from sqlalchemy.orm import Session

from app.db import apply_tenant
from app.models import ApiKey, IdempotencyKey


def age_idempotency_key(session: Session, tenant_id: int, key: str, age: timedelta) -> None:
    """Make the tenant's idempotency key `age` old, as if it had been used that long ago."""
    moved = update(IdempotencyKey).where(
        IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key
    )
    _move_back(session, tenant_id, moved.values(created_at=func.now() - age), f"key {key!r}")


def age_api_key_use(session: Session, tenant_id: int, key_id: int, age: timedelta) -> None:
    """Make the tenant's API key last used `age` ago."""
    moved = update(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id)
    _move_back(session, tenant_id, moved.values(last_used_at=func.now() - age), f"API key {key_id}")


def _move_back(session: Session, tenant_id: int, statement: Update, what: str) -> None:
    apply_tenant(session, tenant_id)
    moved = session.execute(statement)
    assert moved.rowcount == 1, f"no {what} stored"  # type: ignore[attr-defined]
    session.commit()


def database_now(session: Session) -> datetime:
    """The database's clock, the one the service writes with."""
    now = session.scalar(select(func.now()))
    assert isinstance(now, datetime)
    return now
