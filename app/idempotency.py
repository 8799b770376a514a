"""Idempotency-Key for create requests: a repeated request is answered, not done again.

How concurrent duplicates are handled: the key row is inserted first, with
`INSERT ... ON CONFLICT DO NOTHING`, in the same transaction as the work. A
second request with the same key blocks on the primary key until the first
commits; its insert then does nothing and it reads and replays the stored
answer. If the first rolls back (a refused request), its key goes with it and
the second does the work itself: only successful creations are remembered, so a
refused request can be retried with the same key.

The same key with different details is refused with 422 `idempotency_key_reused`
(as the IETF draft "The Idempotency-Key HTTP Header Field" suggests). Keys are
per tenant.

Keys expire after `idempotency_key_ttl_s` (a setting, 24 h by default, as the draft
suggests): an older key is a new request, taken over in the claim's own statement.
Each claim also sweeps a bounded batch of the tenant's expired keys in its own
transaction, so the table holds about one retention period of keys, not every key ever.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.errors import AppError
from app.models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Expired keys deleted per claim: a claim adds one key and removes up to this many, so the
# backlog shrinks fast while each request's extra work stays small.
SWEEP_BATCH = 100


class IdempotencyKeyReused(AppError):
    status_code = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: str


def fingerprint(operation: str, body: BaseModel) -> str:
    # The validated, normalised body: "SAM@x" and "sam@x" are the same request.
    return hashlib.sha256(f"{operation}\n{body.model_dump_json()}".encode()).hexdigest()


def claim(
    session: Session, tenant_id: int, key: str, request_fingerprint: str, *, ttl_s: int
) -> StoredAnswer | None:
    """Take the key for this request, or return the answer an earlier request stored.

    None means: this request owns the key; do the work and `remember` the answer
    before committing. An expired key is taken over as if it had never been used.
    """
    expired = IdempotencyKey.created_at < func.now() - timedelta(seconds=ttl_s)
    _sweep_expired(session, tenant_id, expired)
    stmt = insert(IdempotencyKey).values(
        tenant_id=tenant_id, key=key, fingerprint=request_fingerprint
    )
    # A live key conflicts and is left as it is (the WHERE); an expired one that the sweep
    # did not reach is reset for this request, in the same statement.
    claimed = session.execute(
        stmt.on_conflict_do_update(
            index_elements=[IdempotencyKey.tenant_id, IdempotencyKey.key],
            set_={
                "fingerprint": stmt.excluded.fingerprint,
                "status_code": None,
                "response_body": None,
                "created_at": func.now(),
            },
            where=expired,
        ).returning(IdempotencyKey.key)
    ).first()
    if claimed is not None:
        return None
    # Read committed: this statement sees the row the earlier request committed.
    stored = session.execute(
        select(
            IdempotencyKey.fingerprint, IdempotencyKey.status_code, IdempotencyKey.response_body
        ).where(IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key)
    ).one()
    session.rollback()  # nothing of ours to keep; ends the transaction early
    if stored.fingerprint != request_fingerprint:
        raise IdempotencyKeyReused(
            f"The {IDEMPOTENCY_HEADER} was already used for a request with other details; "
            "use a new key for a new request."  # pragma: no mutate (wording)
        )
    assert stored.status_code is not None and stored.response_body is not None
    return StoredAnswer(stored.status_code, stored.response_body)


def _sweep_expired(session: Session, tenant_id: int, expired: ColumnElement[bool]) -> None:
    """Delete up to SWEEP_BATCH of the tenant's expired keys, oldest first.

    SKIP LOCKED: keys another claim is sweeping (or taking over) right now are left to
    it, so concurrent claims never wait on each other here. MATERIALIZED: the batch is
    chosen once; as a plain `IN (subquery)` PostgreSQL may run it again for each row,
    skip the rows this statement already deleted and slide the LIMIT over all of them.
    """
    batch = (
        select(IdempotencyKey.key)
        .where(IdempotencyKey.tenant_id == tenant_id, expired)
        # Not mutated: order, batch size, SKIP LOCKED and the CTE's name and keyword case
        # change only how much one sweep takes and who waits, never an answer.
        .order_by(IdempotencyKey.created_at)  # pragma: no mutate
        .limit(SWEEP_BATCH)  # pragma: no mutate
        .with_for_update(skip_locked=True)  # pragma: no mutate
        .cte("expired_batch")  # pragma: no mutate
        .prefix_with("MATERIALIZED")  # pragma: no mutate
    )
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key.in_(select(batch.c.key))
        )
    )


def remember(session: Session, tenant_id: int, key: str, answer: StoredAnswer) -> None:
    """Store the answer with the key, in the transaction that did the work."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key)
        .values(status_code=answer.status_code, response_body=answer.body)
    )
