"""Signed access tokens (JWT, HS256 only), short-lived."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "tenant"]
# Far above any token we issue (~250 bytes); refuses oversized input before any parsing.
MAX_TOKEN_LENGTH = 4096


class InvalidToken(Exception):
    """Any token we did not issue, or no longer accept; the reason goes to no caller."""


@dataclass(frozen=True)
class Claims:
    user_id: int
    tenant: str
    role: str


def issue(
    settings: Settings, *, user_id: int, tenant: str, role: str, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "tenant": tenant,
        "role": role,
        "iat": issued,
        "exp": issued + timedelta(seconds=settings.jwt_ttl_s),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode(settings: Settings, token: str) -> Claims:
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("too long")
    try:
        # One algorithm only: never let the token's header pick it (alg "none", key confusion).
        payload = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from None
    sub, tenant, role = payload.get("sub"), payload.get("tenant"), payload.get("role")
    if not (isinstance(sub, str) and sub.isdigit() and isinstance(tenant, str)):
        raise InvalidToken("malformed claims")
    return Claims(user_id=int(sub), tenant=tenant, role=str(role))
