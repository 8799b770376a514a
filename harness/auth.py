"""The suite's side of authentication: test settings, credentials as request headers, forgeries.

Tokens are minted with the service's own token code and the suite's settings, so
"Alice is signed in" costs no HTTP round trip and no password hash.
"""

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import jwt

from app.auth import tokens
from app.auth.credentials import API_KEY_HEADER, COOKIE_NAME
from app.auth.passwords import HashCost
from app.models import User
from app.settings import Settings

# Test-only secret (>= 32 characters, as the service demands).
SUITE_JWT_SECRET = "acceptance-suite-signing-key-not-for-production"
# Still Argon2id, but cheap: ~1 ms instead of ~50 ms per hash.
SUITE_HASH_COST = HashCost(time_cost=1, memory_kib=8, parallelism=1)
# Any: spread into Settings(...) as keyword arguments of several types.
SUITE_AUTH_SETTINGS: dict[str, Any] = {
    "jwt_secret": SUITE_JWT_SECRET,
    "password_hash_time_cost": SUITE_HASH_COST.time_cost,
    "password_hash_memory_kib": SUITE_HASH_COST.memory_kib,
    "password_hash_parallelism": SUITE_HASH_COST.parallelism,
    "login_max_failures": 5,
    "login_failure_window_s": 900,
    # Every scenario signs in from the same address ("testclient") to one shared app: the
    # per-address limit would be reached by the run, not by a scenario. Scenarios about
    # it set their own.
    "login_client_max_attempts": 1_000_000,
}

Headers = Mapping[str, str]
# Pass as `credentials=` to send a request with no credentials at all.
NO_CREDENTIALS: Headers = MappingProxyType({})


def token_for(settings: Settings, user: User, tenant_slug: str) -> str:
    return tokens.issue(settings, user_id=user.id, tenant=tenant_slug, role=user.role)


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def cookie(token: str) -> Headers:
    return {"Cookie": f"{COOKIE_NAME}={token}"}


def cookies(*tokens: str, separator: str = "; ") -> Headers:
    """One Cookie header carrying the session cookie once per token, in order; RFC 6265
    separates the pairs with "; ", a hand-made request need not."""
    return {"Cookie": separator.join(f"{COOKIE_NAME}={token}" for token in tokens)}


def token_in(headers: Headers) -> str:
    """The token a signed-in caller sends, as a bearer or as the session cookie."""
    if "Authorization" in headers:
        return headers["Authorization"].removeprefix("Bearer ")
    return headers["Cookie"].removeprefix(f"{COOKIE_NAME}=")


def api_key(key: str) -> Headers:
    return {API_KEY_HEADER: key}


def signed_with_suite_key(claims: dict[str, Any]) -> str:
    """A token with exactly `claims` (any JSON), signed as the service signs: valid signature,
    valid expiry, whatever the claims say."""
    now = datetime.now(UTC)
    return jwt.encode(
        {"iat": now, "exp": now + timedelta(minutes=15), **claims},
        SUITE_JWT_SECRET,
        algorithm=tokens.ALGORITHM,
    )


# Tokens the service did not issue, or no longer accepts, by how a scenario describes them.
FORGERIES = (
    "a token that has expired",
    "a token signed with another key",
    "a token that claims to need no signature",
    "a token whose claims were edited",
    "a token without an expiry",
    "a garbled token",
)


def forged_token(kind: str, settings: Settings, user: User, tenant_slug: str) -> str:
    """A token for `user` that the service must refuse, made the way `kind` says."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "tenant": tenant_slug,
        "role": user.role,
        "iat": now,
        "exp": now + timedelta(minutes=15),
    }
    good = token_for(settings, user, tenant_slug)
    if kind == "a token that has expired":
        claims |= {"iat": now - timedelta(hours=1), "exp": now - timedelta(minutes=1)}
        return jwt.encode(claims, SUITE_JWT_SECRET, algorithm=tokens.ALGORITHM)
    if kind == "a token signed with another key":
        return jwt.encode(claims, "another-key-that-is-also-32-chars-long!", algorithm="HS256")
    if kind == "a token that claims to need no signature":
        return jwt.encode(claims, None, algorithm="none")
    if kind == "a token whose claims were edited":
        header, _, signature = good.split(".")
        edited = claims | {"sub": str(user.id + 1), "role": "admin"}
        payload = base64.urlsafe_b64encode(json.dumps(edited, default=str).encode()).rstrip(b"=")
        return f"{header}.{payload.decode()}.{signature}"
    if kind == "a token without an expiry":
        claims.pop("exp")
        return jwt.encode(claims, SUITE_JWT_SECRET, algorithm=tokens.ALGORITHM)
    if kind == "a garbled token":
        return good[::-1]
    raise AssertionError(f"unknown kind of token: {kind!r}; known: {FORGERIES}")


# Credentials an outsider can make up, by how a scenario describes them; each is a header set
# for a request naming `tenant_slug`.
MADE_UP_CREDENTIALS = (
    "a made-up bearer token",
    "a made-up session cookie",
    "a made-up API key",
)


def made_up_credentials(kind: str, settings: Settings, tenant_slug: str) -> Headers:
    """What an outsider without an account would send: well-formed, never valid."""
    now = datetime.now(UTC)
    claims = {"sub": "1", "tenant": tenant_slug, "role": "admin", "iat": now}
    token = jwt.encode(
        claims | {"exp": now + timedelta(minutes=5)},
        "an-outsiders-own-key-of-at-least-32-chars",
        algorithm=tokens.ALGORITHM,
    )
    if kind == "a made-up bearer token":
        return bearer(token)
    if kind == "a made-up session cookie":
        return cookie(token)
    if kind == "a made-up API key":
        return api_key("tsk_0123456789ab_" + "x" * 43)
    raise AssertionError(f"unknown made-up credential {kind!r}; known: {MADE_UP_CREDENTIALS}")
