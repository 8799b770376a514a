"""The principal of a request: the user behind a token, or an API key, in one tenant.

The role comes from the database, not from the token: a demoted or removed user
loses access at once, and a token's role claim grants nothing.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.auth.credentials import InvalidCredentials
from app.auth.tokens import Claims
from app.context import TenantRef
from app.models import User


@dataclass(frozen=True)
class Principal:
    """What the rules need of a caller found in the tenant: its role, read just now."""

    role: str


def user_principal(session: Session, tenant: TenantRef, claims: Claims) -> Principal:
    row = session.execute(
        select(User.role).where(User.tenant_id == tenant.id, User.id == claims.user_id)
    ).first()
    if row is None:
        raise InvalidCredentials()
    return Principal(role=row.role)


def api_key_principal(session: Session, tenant: TenantRef, key: str) -> Principal:
    # Looked up in the named tenant only: another tenant's key is simply unknown here.
    api_key = api_keys.find_active(session, tenant.id, key)
    if api_key is None:
        raise InvalidCredentials()
    return Principal(role=api_key.role)
