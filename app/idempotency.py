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
"""

import hashlib
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.errors import AppError
from app.models import IdempotencyKey

IDEMPOTENCY_HEADER = "Idempotency-Key"


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
    session: Session, tenant_id: int, key: str, request_fingerprint: str
) -> StoredAnswer | None:
    """Take the key for this request, or return the answer an earlier request stored.

    None means: this request owns the key; do the work and `remember` the answer
    before committing.
    """
    claimed = session.execute(
        insert(IdempotencyKey)
        .values(tenant_id=tenant_id, key=key, fingerprint=request_fingerprint)
        .on_conflict_do_nothing(index_elements=[IdempotencyKey.tenant_id, IdempotencyKey.key])
        .returning(IdempotencyKey.key)
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
            "use a new key for a new request."
        )
    assert stored.status_code is not None and stored.response_body is not None
    return StoredAnswer(stored.status_code, stored.response_body)


def remember(session: Session, tenant_id: int, key: str, answer: StoredAnswer) -> None:
    """Store the answer with the key, in the transaction that did the work."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.tenant_id == tenant_id, IdempotencyKey.key == key)
        .values(status_code=answer.status_code, response_body=answer.body)
    )
