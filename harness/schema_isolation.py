"""The database layer alone in schemas mode: the service's role, in one tenant's context or none.

What keeps tenants apart here is PostgreSQL's privileges, not a filter: a tenant's context
is its schema on the search path and its role (apply_tenant, the service's own statement),
and each read also names every other tenant's schema outright, as a query that forgot its
tenant or was handed another's schema would. Inside a savepoint that is rolled back, each
attempt in a savepoint of its own, so a refusal ends only that attempt.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db import SCHEMA_CONTEXT
from harness.provision import SERVICE_ROLE

CHECK_VIOLATION = "23514"


@dataclass(frozen=True)
class Attempt:
    """One statement the service's role tried, and the database's refusal (None: accepted)."""

    what: str
    refusal: DBAPIError | None


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote_identifier(name)


def tenant_schemas(connection: Connection) -> dict[int, str]:
    rows = connection.execute(
        text("SELECT id, schema_name FROM public.tenants WHERE schema_name IS NOT NULL")
    )
    return {row.id: row.schema_name for row in rows}


@contextmanager
def as_service_role(session: Session, tenant_id: int | None) -> Iterator[Connection]:
    """The service's role, with the tenant's context as the service takes it (or none)."""
    nested = session.begin_nested()
    try:
        connection = session.connection()
        connection.execute(text(f"SET LOCAL ROLE {SERVICE_ROLE}"))
        connection.execute(text("SET LOCAL search_path TO DEFAULT"))
        if tenant_id is not None:
            connection.execute(SCHEMA_CONTEXT, {"tenant_id": tenant_id})
        yield connection
    finally:
        nested.rollback()


def _try(connection: Connection, what: str, statement: str) -> tuple[Attempt, list[int]]:
    attempt = connection.begin_nested()
    try:
        rows = list(connection.scalars(text(statement)))
    except DBAPIError as exc:
        attempt.rollback()
        return Attempt(what, exc), []
    attempt.commit()
    return Attempt(what, None), rows


def tenant_ids_read(session: Session, records: str, tenant_id: int | None) -> list[int]:
    """The tenant ids of every row of `records` the service's role gets: from the table as
    the search path finds it, and from every other tenant's schema named outright."""
    with as_service_role(session, tenant_id) as connection:
        _, seen = _try(connection, records, f"SELECT tenant_id FROM {records}")
        others = {id_: name for id_, name in tenant_schemas(connection).items() if id_ != tenant_id}
        for schema in others.values():
            named = f"{_quoted(connection, schema)}.{records}"
            _, rows = _try(connection, named, f"SELECT tenant_id FROM {named}")
            seen += rows
        return seen


def insert_user_as_service_role(
    session: Session, context_tenant_id: int, owner_id: int
) -> list[Attempt]:
    """Try to file a user under `owner_id` while in `context_tenant_id`'s context: in the
    owner's schema named outright, and in the context's own schema with the owner's id."""
    values = f"({int(owner_id)}, 'Mallory', 'mallory@example.com', 'member')"
    columns = "(tenant_id, name, email, role)"
    with as_service_role(session, context_tenant_id) as connection:
        owner_schema = _quoted(connection, tenant_schemas(connection)[owner_id])
        attempts = []
        for table in (f"{owner_schema}.users", "users"):
            attempt, _ = _try(
                connection,
                table,
                f"INSERT INTO {table} {columns} VALUES {values} RETURNING tenant_id",
            )
            attempts.append(attempt)
        return attempts
