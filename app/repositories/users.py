"""User queries. Every one filters by tenant: RLS is the second lock, not the only one."""

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import run_write
from app.errors import Conflict, NotFound
from app.locks import lock_tenant_resource
from app.models import Tenant, User
from app.schemas import UserCreate, UserUpdate

log = logging.getLogger("app.repositories.users")
SEATS_LOCK = "seats"
EMAIL_UNIQUE_CONSTRAINT = "users_email_unique_per_tenant"


class SeatLimitReached(Conflict):
    code = "seat_limit_reached"


class EmailTaken(Conflict):
    code = "email_taken"


def list_users(
    session: Session, tenant_id: int, *, limit: int, offset: int
) -> tuple[list[User], int]:
    where = User.tenant_id == tenant_id
    total = session.scalar(select(func.count()).select_from(User).where(where)) or 0
    users = session.scalars(
        select(User).where(where).order_by(User.id).limit(limit).offset(offset)
    ).all()
    return list(users), total


def find_user(session: Session, tenant_id: int, user_id: int, *, lock: bool = False) -> User | None:
    """The tenant's user, or None; `lock` holds the row until the transaction ends.

    Changes lock first: a change or removal racing this one commits before we read,
    so a removed user is simply not found. Without the lock the ORM's UPDATE or
    DELETE matched no row once a concurrent removal had committed (StaleDataError, 500).
    """
    query = select(User).where(User.tenant_id == tenant_id, User.id == user_id)
    if lock:
        # populate_existing: the row as it is now, not as this session loaded it earlier.
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def get_user(session: Session, tenant_id: int, user_id: int, *, lock: bool = False) -> User:
    user = find_user(session, tenant_id, user_id, lock=lock)
    if user is None:
        # Another tenant's user answers exactly like a missing one: no existence oracle.
        raise NotFound(f"No user {user_id}.")
    return user


def create_user(session: Session, tenant_id: int, data: UserCreate) -> User:
    """Add a user if a seat is free, re-run if PostgreSQL aborts it as a deadlock victim."""
    return run_write(session, lambda: insert_user(session, tenant_id, data))


def insert_user(
    session: Session,
    tenant_id: int,
    data: UserCreate,
    *,
    before_commit: Callable[[User], None] | None = None,
) -> User:
    """One attempt, no retry: for callers that re-run a larger unit themselves.

    `before_commit` runs in the same transaction (the idempotency key stores its
    answer there), after the row exists.
    """
    lock_seats(session, tenant_id)
    seat_limit = session.scalar(select(Tenant.seat_limit).where(Tenant.id == tenant_id))
    used = session.scalar(select(func.count()).select_from(User).where(User.tenant_id == tenant_id))
    if seat_limit is not None and (used or 0) >= seat_limit:
        session.rollback()
        raise SeatLimitReached(f"All {seat_limit} seats of this tenant are taken.")
    user = User(tenant_id=tenant_id, **data.model_dump())
    session.add(user)
    _commit_or_conflict(session, data.email, before_commit=before_commit, user=user)
    return user


def lock_seats(session: Session, tenant_id: int) -> None:
    """Count a tenant's seats one creation at a time, until this transaction ends.

    Otherwise check-then-insert lets two requests take the last seat. An advisory
    lock, not `SELECT ... FOR UPDATE` on the tenant row: every insert into a table
    with a foreign key to tenants (the idempotency key claimed first, the user)
    holds FOR KEY SHARE on that row, which FOR UPDATE waits for, so two keyed
    creations deadlocked. It also needs no UPDATE grant on tenants.
    """
    lock_tenant_resource(session, SEATS_LOCK, tenant_id)


def update_user(session: Session, tenant_id: int, user_id: int, data: UserUpdate) -> User:
    def once() -> User:
        user = get_user(session, tenant_id, user_id, lock=True)
        for field, value in data.model_dump(exclude_unset=True).items():
            setattr(user, field, value)
        _commit_or_conflict(session, user.email)
        return user

    return run_write(session, once)


def mark_invited(session: Session, tenant_id: int, user_id: int) -> datetime:
    """Record that the e-mail provider accepted an invitation for the user; return when.

    The user may have been removed while the provider was sending. The e-mail went
    out all the same, so that is not a 404: there is just no one left to record it on.
    """

    def once() -> datetime:
        accepted_at = session.scalar(select(func.now()))
        assert isinstance(accepted_at, datetime)
        user = find_user(session, tenant_id, user_id, lock=True)
        if user is None:
            log.info("invitation sent for user %d, removed while it was being sent", user_id)
        else:
            user.invited_at = accepted_at
        session.commit()
        return accepted_at

    return run_write(session, once)


def delete_user(session: Session, tenant_id: int, user_id: int) -> None:
    def once() -> None:
        session.delete(get_user(session, tenant_id, user_id, lock=True))
        session.commit()

    run_write(session, once)


def _commit_or_conflict(
    session: Session,
    email: str,
    *,
    before_commit: Callable[[User], None] | None = None,
    user: User | None = None,
) -> None:
    try:
        if before_commit is not None and user is not None:
            session.flush()  # the id and created_at exist from here
            before_commit(user)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        if EMAIL_UNIQUE_CONSTRAINT in str(exc.orig):
            raise EmailTaken(f"A user with the email {email} already exists.") from None
        raise
