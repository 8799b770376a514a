"""Signed access tokens (JWT, HS256 only), short-lived."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.context import SLUG_PATTERN
from app.settings import Settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "tenant", "role"]
# A user id as we write it: ASCII digits, no sign, no leading zero, within PostgreSQL's
# bigint. str.isdigit() also takes '²' and other scripts' digits, which int() reads as
# numbers (ARABIC-INDIC DIGIT ONE is 1).
USER_ID = re.compile(r"[1-9][0-9]{0,18}")
MAX_USER_ID = 2**63 - 1
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
    # Not mutated: a naive time is read as UTC by PyJWT, and this machine's clock is UTC.
    issued = now or datetime.now(UTC)  # pragma: no mutate
    claims = {
        "sub": str(user_id),
        "tenant": tenant,
        "role": role,  # pragma: no mutate (informational: roles come from the database)
        "iat": issued,
        "exp": issued + timedelta(seconds=settings.jwt_ttl_s),
    }
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm=ALGORITHM)


def decode(settings: Settings, token: str) -> Claims:
    if len(token) > MAX_TOKEN_LENGTH:
        # Not mutated here and in _claims: why a token is refused never leaves the
        # service (tenant_scope answers every InvalidToken alike).
        raise InvalidToken("too long")  # pragma: no mutate
    try:
        # One algorithm only: never let the token's header pick it (alg "none", key confusion).
        payload = jwt.decode(
            token,
            settings.jwt_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as exc:
        # Not mutated: the reason stays inside the service, as above.
        raise InvalidToken(type(exc).__name__) from None  # pragma: no mutate
    return _claims(payload)


def _claims(payload: dict[str, object]) -> Claims:
    """The claims as we issue them, or InvalidToken: odd claims are no token of ours."""
    # The reasons below are not mutated: they stay inside the service, as in decode.
    sub, tenant, role = payload["sub"], payload["tenant"], payload["role"]
    if not (isinstance(sub, str) and USER_ID.fullmatch(sub) and int(sub) <= MAX_USER_ID):
        raise InvalidToken("malformed subject")  # pragma: no mutate
    if not (isinstance(tenant, str) and SLUG_PATTERN.fullmatch(tenant)):
        raise InvalidToken("malformed tenant")  # pragma: no mutate
    if not isinstance(role, str):
        raise InvalidToken("malformed role")  # pragma: no mutate
    return Claims(user_id=int(sub), tenant=tenant, role=role)
