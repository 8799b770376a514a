"""API keys for machine clients: `tsk_<prefix>_<secret>`, stored as a SHA-256 digest.

The secret is 256 random bits, so a fast hash is enough (no dictionary to guess
from); the public prefix finds the row, the digest is compared in constant time.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.errors import Conflict, NotFound
from app.locks import lock_tenant_resource
from app.models import ApiKey

SCHEME = "tsk"
# Writing last_used_at on every request would make one busy key a hot row; once a minute is
# precise enough for "is this key still in use?".
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_KEY_LENGTH = 128
LOCK = "api_keys"


class ApiKeyLimitReached(Conflict):
    code = "api_key_limit_reached"


def new_key() -> str:
    # The secret's length is not mutated: any length that fits the limit works alike.
    return f"{SCHEME}_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"  # pragma: no mutate


def prefix_of(key: str) -> str | None:
    if len(key) > MAX_KEY_LENGTH:
        return None
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != SCHEME or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create(
    session: Session, tenant_id: int, *, name: str, role: str, max_active: int
) -> tuple[ApiKey, str]:
    """A new key, if the tenant has fewer than `max_active` unrevoked ones."""
    _ensure_room(session, tenant_id, max_active)
    key = new_key()
    prefix = prefix_of(key)
    assert prefix is not None
    api_key = ApiKey(
        tenant_id=tenant_id, name=name, role=role, prefix=prefix, secret_hash=digest(key)
    )
    session.add(api_key)
    session.commit()
    return api_key, key


def _ensure_room(session: Session, tenant_id: int, max_active: int) -> None:
    # Counted under the tenant's lock, held until the insert commits: two creates at
    # once cannot both take the last place.
    lock_tenant_resource(session, LOCK, tenant_id)
    active = session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.tenant_id == tenant_id, ApiKey.revoked_at.is_(None))
    )
    if (active or 0) >= max_active:
        session.rollback()  # ends the transaction, and with it the lock
        raise ApiKeyLimitReached(
            f"This tenant already has {max_active} active API keys, the most it may have; "
            "revoke one before creating another."  # pragma: no mutate (wording)
        )


def list_keys(
    session: Session, tenant_id: int, *, limit: int, offset: int
) -> tuple[list[ApiKey], int]:
    where = ApiKey.tenant_id == tenant_id
    total = session.scalar(select(func.count()).select_from(ApiKey).where(where)) or 0
    keys = session.scalars(
        select(ApiKey).where(where).order_by(ApiKey.id).limit(limit).offset(offset)
    ).all()
    return list(keys), total


def revoke(session: Session, tenant_id: int, key_id: int) -> None:
    api_key = session.scalar(
        select(ApiKey).where(ApiKey.tenant_id == tenant_id, ApiKey.id == key_id)
    )
    if api_key is None:
        raise NotFound(f"No API key {key_id}.")
    if api_key.revoked_at is None:  # revoking twice changes nothing
        api_key.revoked_at = func.now()
        session.commit()


def find_active(session: Session, tenant_id: int, key: str) -> ApiKey | None:
    """The tenant's unrevoked key matching `key`, marked as used; None otherwise."""
    prefix = prefix_of(key)
    if prefix is None:
        return None
    found = session.execute(
        select(ApiKey, func.now()).where(
            ApiKey.tenant_id == tenant_id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)
        )
    ).first()
    if found is None:
        return None
    api_key, now = found
    if not hmac.compare_digest(api_key.secret_hash, digest(key)):
        return None
    if api_key.last_used_at is not None and api_key.last_used_at >= now - LAST_USED_RESOLUTION:
        return api_key  # used within the minute: nothing to write (most requests)
    # The same condition in the UPDATE: of two requests at once, one writes.
    touched = session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == api_key.id,
            or_(
                ApiKey.last_used_at.is_(None),
                ApiKey.last_used_at < func.now() - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=func.now())
    )
    if touched.rowcount:  # type: ignore[attr-defined]
        session.commit()
    return api_key
