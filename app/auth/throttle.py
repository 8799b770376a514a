"""Failed sign-ins per account, counted in a window, in the database.

The account is a digest of (tenant slug as typed, normalised email): the count needs no
tenant row, so a tenant that does not exist is throttled exactly like one that does, with
the same statements (no oracle in the answers or in the work).

In the database so that every worker and every replica sees the same count; an advisory
lock per account makes check-and-record one step. The caller records the attempt as a
failure *before* checking the password and clears the account on success, so the lock
and the connection are held for milliseconds, never while Argon2 runs, and concurrent
guesses are still counted exactly.
"""

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.errors import AppError
from app.models import LoginFailure
from app.settings import Settings

# Expired rows removed per check, oldest first, whichever account they belong to: more
# than the one row a check adds, so the table holds little beyond the window's failures.
SWEEP_BATCH = 50


class TooManyAttempts(AppError):
    status_code = 429
    code = "too_many_attempts"


def account_key(slug: str, email: str) -> str:
    """The account's digest; the slug's length first, so no two pairs share an input."""
    # surrogatepass: a lone surrogate from a JSON escape must not turn a sign-in into a 500.
    account = f"{len(slug)}:{slug}:{email}"
    # Not mutated: another error handler differs only on a lone surrogate, which the JSON
    # reader refuses (422) before any sign-in reads the email.
    return hashlib.sha256(account.encode(errors="surrogatepass")).hexdigest()  # pragma: no mutate


def _window(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.login_failure_window_s)


def check(session: Session, settings: Settings, account: str) -> None:
    """Raise 429 with Retry-After when the account has used up its failures in the window.

    Takes the account's advisory lock until the transaction ends: record the attempt
    (`record_failure`) in the same transaction.
    """
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(account, 0))))
    _sweep(session, settings)
    row = session.execute(
        select(func.count(), func.min(LoginFailure.failed_at), func.now()).where(
            LoginFailure.account == account,
            LoginFailure.failed_at > func.now() - _window(settings),
        )
    ).one()
    failures, oldest, now = row[0], row[1], row[2]
    if failures >= settings.login_max_failures:
        retry_after = str(_retry_after(oldest, now, settings))
        # Not mutated: the wording, and the header name's letter case.
        raise TooManyAttempts(
            "Too many failed sign-ins for this account; try again later.",  # pragma: no mutate
            headers={"Retry-After": retry_after},  # pragma: no mutate
        )


def _sweep(session: Session, settings: Settings) -> None:
    # SKIP LOCKED: two sign-ins sweeping at once take different rows and never wait.
    expired = (
        select(LoginFailure.id)
        .where(LoginFailure.failed_at <= func.now() - _window(settings))
        # Not mutated: order, batch size and SKIP LOCKED change only how much one sweep
        # takes and who waits, never an answer.
        .order_by(LoginFailure.failed_at)  # pragma: no mutate
        .limit(SWEEP_BATCH)  # pragma: no mutate
        .with_for_update(skip_locked=True)  # pragma: no mutate
    )
    session.execute(delete(LoginFailure).where(LoginFailure.id.in_(expired.scalar_subquery())))


def _retry_after(oldest: datetime, now: datetime, settings: Settings) -> int:
    return max(1, math.ceil((oldest + _window(settings) - now).total_seconds()))


def record_failure(session: Session, account: str) -> None:
    session.execute(insert(LoginFailure).values(account=account))


def clear(session: Session, account: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.account == account))
