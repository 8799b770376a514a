"""Engine, per-request sessions, and the per-transaction tenant setting for RLS."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.settings import Settings

# Read by the RLS policies (see migrations). Set with set_config(..., is_local=true)
# so it ends with the transaction: a plain SET would survive on a pooled connection
# and hand one tenant's context to the next request.
TENANT_SETTING = "app.tenant_id"
TENANT_INFO_KEY = "tenant_id"


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
        yield session


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
