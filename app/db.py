"""Engine, per-request sessions, and the per-transaction tenant setting for RLS."""

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from fastapi import Request
from sqlalchemy import Connection, Engine, create_engine, event, func, select
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
WRITE_ATTEMPTS_KEY = "write_attempts"
DEFAULT_WRITE_ATTEMPTS = 3


def create_db_engine(settings: Settings) -> Engine:
    return create_engine(
        str(settings.database_url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_pre_ping=True,  # a restarted database costs one failed ping, not a failed request
        connect_args={"options": f"-c statement_timeout={settings.db_statement_timeout_ms}"},
    )


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: answers are built from objects after the commit.
    return sessionmaker(bind=engine, expire_on_commit=False)


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
    attempts = int(session.info.get(WRITE_ATTEMPTS_KEY, DEFAULT_WRITE_ATTEMPTS))
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            if sqlstate(exc) not in RETRYABLE_SQLSTATES or attempt == attempts:
                raise
            session.rollback()
            log.warning(
                "write lost a race (%s): attempt %d of %d", sqlstate(exc), attempt, attempts
            )
            # Jitter so two retrying writers do not collide again in lockstep.
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable: the loop returns or raises")


def apply_tenant(session: Session, tenant_id: int) -> None:
    """Put the session in one tenant's context, now and for every later transaction."""
    session.info[TENANT_INFO_KEY] = tenant_id
    if session.in_transaction():
        _set_tenant_setting(session.connection(), tenant_id)
    else:
        session.connection()  # begins a transaction; `after_begin` applies the setting


def _set_tenant_setting(connection: Connection, tenant_id: int) -> None:
    connection.execute(select(func.set_config(TENANT_SETTING, str(tenant_id), True)))


@event.listens_for(Session, "after_begin")
def _reapply_tenant(session: Session, _: SessionTransaction, connection: Connection) -> None:
    # A commit ends the transaction and with it the local setting; carry it into the next one.
    tenant_id = session.info.get(TENANT_INFO_KEY)
    if tenant_id is not None:
        _set_tenant_setting(connection, tenant_id)
