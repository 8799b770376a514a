"""What the database holds for one tenant, read through the scenario's session.

Plain column reads (not ORM objects), so nothing stale from the session's identity
map can hide a change the service made. Each read ends its transaction: in the
savepoint mode that only releases a savepoint.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Interval, func, select, type_coerce
from sqlalchemy.orm import Session

from app.auth.throttle import account_key
from app.db import apply_tenant
from app.models import ApiKey, Counter, IdempotencyKey, LoginFailure, Tenant, User

Row = dict[str, Any]


@dataclass(frozen=True)
class TenantState:
    """A tenant's users, counters and API keys, as stored."""

    users: list[Row] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    api_keys: list[Row] = field(default_factory=list)

    def user(self, user_id: int) -> Row | None:
        return next((user for user in self.users if user["id"] == user_id), None)


def users_of(session: Session, tenant_id: int) -> list[Row]:
    apply_tenant(session, tenant_id)
    rows = session.execute(
        select(User.id, User.name, User.email, User.role, User.invited_at)
        .where(User.tenant_id == tenant_id)
        .order_by(User.id)
    )
    result = [dict(row) for row in rows.mappings()]
    session.commit()
    return result


def user_row(session: Session, tenant_id: int, user_id: int) -> Row | None:
    """One user of the tenant as stored, or None when there is no such user."""
    return TenantState(users=users_of(session, tenant_id)).user(user_id)


def counters_of(session: Session, tenant_id: int) -> dict[str, int]:
    apply_tenant(session, tenant_id)
    rows = session.execute(
        select(Counter.name, Counter.value).where(Counter.tenant_id == tenant_id)
    ).all()
    session.commit()
    return {row.name: row.value for row in rows}


def api_keys_of(session: Session, tenant_id: int) -> list[Row]:
    """Every column but last_used_at, which moves whenever a key is used."""
    apply_tenant(session, tenant_id)
    rows = session.execute(
        select(
            ApiKey.id,
            ApiKey.name,
            ApiKey.prefix,
            ApiKey.secret_hash,
            ApiKey.role,
            ApiKey.revoked_at,
        )
        .where(ApiKey.tenant_id == tenant_id)
        .order_by(ApiKey.id)
    )
    result = [dict(row) for row in rows.mappings()]
    session.commit()
    return result


def failed_sign_ins(session: Session, tenant_id: int, email: str) -> int:
    slug = session.scalar(select(Tenant.slug).where(Tenant.id == tenant_id))
    assert slug is not None
    count = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account == account_key(slug, email))
    )
    session.commit()
    return count or 0


def idempotency_key_ages(session: Session, tenant_id: int) -> dict[str, timedelta]:
    """How old each of the tenant's stored idempotency keys is, by the database's clock."""
    apply_tenant(session, tenant_id)
    rows = session.execute(
        select(
            IdempotencyKey.key, type_coerce(func.now() - IdempotencyKey.created_at, Interval)
        ).where(IdempotencyKey.tenant_id == tenant_id)
    ).all()
    session.commit()
    return {row[0]: row[1] for row in rows}


def all_failed_sign_ins(session: Session) -> int:
    """Failed sign-ins stored for any account at all."""
    count = session.scalar(select(func.count()).select_from(LoginFailure))
    session.commit()
    return count or 0


def password_hash_of(session: Session, tenant_id: int, user_id: int) -> str | None:
    apply_tenant(session, tenant_id)
    stored = session.scalar(
        select(User.password_hash).where(User.tenant_id == tenant_id, User.id == user_id)
    )
    session.commit()
    return stored


def tenant_state(session: Session, tenant_id: int) -> TenantState:
    return TenantState(
        users=users_of(session, tenant_id),
        counters=counters_of(session, tenant_id),
        api_keys=api_keys_of(session, tenant_id),
    )
