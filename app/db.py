"""Engine, per-request sessions, and the per-transaction tenant context.

Two tenancy strategies (`Settings.tenancy`), one entry point, `apply_tenant`:
- rows: the transaction's `app.tenant_id`, read by the RLS policies of shared tables;
- schemas: the transaction's search path and role become the tenant's own (its schema,
  its NOLOGIN role), read from the registry in one statement; see app/tenant_schemas.py.
Either way the settings are local to the transaction (set_config(..., true)): a session
SET would survive on a pooled connection and hand one tenant's context to the next request.
"""

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import Literal, TypeVar

from fastapi import Request
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.errors import RETRYABLE_SQLSTATES, sqlstate
from app.settings import Settings

log = logging.getLogger("app.db")
T = TypeVar("T")

# Read by the RLS policies (see migrations). Set with set_config(..., is_local=true)
# so it ends with the transaction: a plain SET would survive on a pooled connection
# and hand one tenant's context to the next request.
TENANT_SETTING = "app.tenant_id"
TENANT_INFO_KEY = "tenant_id"
TENANCY_INFO_KEY = "tenancy"
# The revision the tenant's schema reached (schemas mode), as the last apply_tenant read it.
SCHEMA_REVISION_INFO_KEY = "schema_revision"
Tenancy = Literal["rows", "schemas"]
WRITE_ATTEMPTS_KEY = "write_attempts"


# Not mutated: runs once per test session, so mutmut would let only the first scenario
# judge it; what it sets is the failures feature's (recovering once the database is back,
# the statement time limit), which `make test` runs whole.
def create_db_engine(settings: Settings) -> Engine:  # pragma: no mutate block
    return create_engine(
        str(settings.database_url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,  # a restarted database costs one failed ping, not a failed request
        connect_args={"options": f"-c statement_timeout={settings.db_statement_timeout_ms}"},
    )


def create_session_factory(engine: Engine, tenancy: Tenancy) -> sessionmaker[Session]:
    return sessionmaker(
        bind=engine,
        # Answers are built from objects after the commit: without this each would be read
        # again (the same values). Not mutated: no caller can tell.
        expire_on_commit=False,  # pragma: no mutate
        info={TENANCY_INFO_KEY: tenancy},
    )


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, closed (and its connection returned) when the request ends."""
    session_factory: sessionmaker[Session] = request.app.state.session_factory
    with session_factory() as session:
        session.info[WRITE_ATTEMPTS_KEY] = request.app.state.settings.db_write_attempts
        yield session


def run_write(session: Session, work: Callable[[], T]) -> T:
    """Run `work` (which commits) again when PostgreSQL aborts it as a serialization
    failure or deadlock victim: that transaction wrote nothing, so a re-run is safe.

    Bounded by the `db_write_attempts` setting; the last failure goes to the error
    handler (409 `write_conflict`). Each re-run starts a new transaction, into which
    `after_begin` carries the tenant setting again.
    """
    attempts = int(session.info[WRITE_ATTEMPTS_KEY])  # every write session comes from get_db
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            if sqlstate(exc) not in RETRYABLE_SQLSTATES or attempt == attempts:
                raise
            session.rollback()
            log.warning(
                "write lost a race (%s): attempt %d of %d",
                sqlstate(exc),
                attempt,
                attempts,
                extra={"sqlstate": sqlstate(exc)},  # for log processors (and the suite) to count
            )
            # Jitter so two retrying writers do not collide again in lockstep. Not mutated:
            # only how long a re-run waits, which no scenario asserts.
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # pragma: no mutate
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no mutate


def apply_tenant(session: Session, tenant_id: int) -> None:
    """Put the session in one tenant's context, now and for every later transaction."""
    session.info[TENANT_INFO_KEY] = tenant_id
    if session.in_transaction():
        _set_tenant_setting(session, session.connection(), tenant_id)
    else:
        session.connection()  # begins a transaction; `after_begin` applies the setting


# Schemas mode: the tenant's schema first on the search path (the shared one after it, for
# the registry and the throttle), the tenant's role for the rest of the transaction, and
# the revision its schema reached. The names come from the registry and go through
# quote_ident / the role check of set_config: no SQL is ever built from a slug.
# A tenant that does not exist (or has no schema yet) matches no row and nothing is set:
# every transaction starts from the connection's own defaults (all the settings here are
# local), so the request sees the shared schema's tenant tables, which hold nothing in
# this mode, as the service's own role. The same statement runs either way (the sign-in
# equivalence scenarios compare them).
SCHEMA_CONTEXT = text(
    "SELECT set_config('search_path', quote_ident(schema_name) || ', public', true), "
    "set_config('role', schema_role, true), "
    f"set_config('{TENANT_SETTING}', CAST(id AS text), true), "
    "schema_revision "
    "FROM public.tenants WHERE id = :tenant_id AND schema_name IS NOT NULL"
)


def _set_tenant_setting(session: Session, connection: Connection, tenant_id: int) -> None:
    if session.info.get(TENANCY_INFO_KEY, "rows") == "schemas":
        row = connection.execute(SCHEMA_CONTEXT, {"tenant_id": tenant_id}).first()
        session.info[SCHEMA_REVISION_INFO_KEY] = row.schema_revision if row else None
        return
    connection.execute(select(func.set_config(TENANT_SETTING, str(tenant_id), True)))


@event.listens_for(Session, "after_begin")
def _reapply_tenant(session: Session, _: SessionTransaction, connection: Connection) -> None:
    # A commit ends the transaction and with it the local setting; carry it into the next one.
    tenant_id = session.info.get(TENANT_INFO_KEY)
    if tenant_id is not None:
        _set_tenant_setting(session, connection, tenant_id)
