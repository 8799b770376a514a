"""Failed sign-ins per account (tenant + email), counted in a window, in the database.

In the database so that every worker and every replica sees the same count; an
advisory lock per account makes check-and-record one step under concurrency.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.errors import AppError
from app.models import LoginAttempt
from app.settings import Settings


class TooManyAttempts(AppError):
    status_code = 429
    code = "too_many_attempts"


def _window(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.login_failure_window_s)


def check(session: Session, settings: Settings, tenant_id: int, email: str) -> None:
    """Raise 429 with Retry-After when the account has used up its failures in the window."""
    key = f"login:{tenant_id}:{email}"
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    row = session.execute(
        select(func.count(), func.min(LoginAttempt.attempted_at), func.now()).where(
            LoginAttempt.tenant_id == tenant_id,
            LoginAttempt.email == email,
            LoginAttempt.attempted_at > func.now() - _window(settings),
        )
    ).one()
    failures, oldest, now = row[0], row[1], row[2]
    if failures >= settings.login_max_failures:
        raise TooManyAttempts(
            "Too many failed sign-ins for this account; try again later.",
            headers={"Retry-After": str(_retry_after(oldest, now, settings))},
        )


def _retry_after(oldest: datetime, now: datetime, settings: Settings) -> int:
    return max(1, math.ceil((oldest + _window(settings) - now).total_seconds()))


def record_failure(session: Session, tenant_id: int, email: str) -> None:
    session.add(LoginAttempt(tenant_id=tenant_id, email=email))


def clear(session: Session, tenant_id: int, email: str) -> None:
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.tenant_id == tenant_id, LoginAttempt.email == email)
    )
