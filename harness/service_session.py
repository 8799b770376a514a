"""The service's requests on the scenario's session (the savepoint mode), as the service's role.

The scenario connects as the seeding role, which may also create tenants; the service
may not, and must not seem to in a scenario either. So each request gets the scenario's
session with `SET ROLE` to the service's own role (its BYPASSRLS twin for
`--without-rls`), and `RESET ROLE` when the request ends. The search path is reset too:
a tenant's context (schemas mode) is local to a transaction, and here every request
shares the scenario's one, so the reset does what the end of a pooled transaction does.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import TENANT_INFO_KEY


def sessions_as(session: Session, role: str) -> Callable[[], AbstractContextManager[Session]]:
    """A stand-in for the app's session factory (`app.state.session_factory`): each request
    gets `session`, as `role` for the length of the request.

    Set on the app's state rather than as a dependency override: with any override set,
    FastAPI rebuilds every dependency's signature analysis on every request (about a
    quarter of a scenario's request time here)."""
    connection = session.get_bind()
    assert isinstance(connection, Connection), "the savepoint mode binds a session to one link"

    @contextmanager
    def one_request() -> Iterator[Session]:
        # Switch on the outer transaction, outside any savepoint: a rollback the service
        # makes must not undo the switch. The scenario's own open work is kept.
        if session.in_transaction():
            session.commit()
        connection.execute(text(f"SET ROLE {role}"))
        # A request starts in no tenant's context, as on a session of the service's own:
        # the scenario's seeding may have left one (its search path, in schemas mode).
        connection.execute(text("RESET search_path"))
        session.info.pop(TENANT_INFO_KEY, None)
        try:
            yield session
        finally:
            _reset_role(session, connection)

    return one_request


def _reset_role(session: Session, connection: Connection) -> None:
    """Back to the scenario's role, leaving the session as the request left it.

    Not a rollback: that would expire every object of the session, the scenario's
    people among them. The next request (or the scenario's next read) ends the open
    savepoint with a commit, so the reset stays.
    """
    try:
        connection.execute(text("RESET ROLE"))
    except DBAPIError:
        # The request left its savepoint failed (an error it never rolled back):
        # drop it, as closing the service's own session would.
        session.rollback()
        connection.execute(text("RESET ROLE"))
    connection.execute(text("RESET search_path"))
