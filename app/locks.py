"""Per-tenant advisory locks: one check-then-insert at a time within a tenant.

A cap ("at most N of these per tenant") is a count followed by an insert; two requests
at once would both count N-1 and both insert. Holding the tenant's lock for that kind
of record from the count to the commit makes them take turns.
"""

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def advisory_key(resource: str, tenant_id: int) -> int:
    """A signed 64-bit key for (resource, tenant), the same in every process.

    Not Python's `hash()`, which differs between processes. Two pairs sharing a key
    only make unrelated writers wait for each other; they never let two in at once.
    """
    digest = hashlib.blake2b(f"{resource}:{tenant_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_tenant_resource(session: Session, resource: str, tenant_id: int) -> None:
    """Wait for the tenant's lock on `resource` and hold it until the transaction ends.

    Advisory: it needs no grant and locks no row that readers or other writers use.
    The wait is bounded by the statement timeout.
    """
    session.execute(select(func.pg_advisory_xact_lock(advisory_key(resource, tenant_id))))
