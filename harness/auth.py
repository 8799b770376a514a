"""The suite's side of authentication: test settings, and credentials as request headers.

Tokens are minted with the service's own token code and the suite's settings, so
"Alice is signed in" costs no HTTP round trip and no password hash.
"""

from collections.abc import Mapping
from types import MappingProxyType

from app.auth import tokens
from app.auth.credentials import API_KEY_HEADER, COOKIE_NAME
from app.auth.passwords import HashCost
from app.models import User
from app.settings import Settings

# Test-only secret (>= 32 characters, as the service demands).
SUITE_JWT_SECRET = "acceptance-suite-signing-key-not-for-production"
# Still Argon2id, but cheap: ~1 ms instead of ~50 ms per hash.
SUITE_HASH_COST = HashCost(time_cost=1, memory_kib=8, parallelism=1)
SUITE_AUTH_SETTINGS: dict[str, object] = {
    "jwt_secret": SUITE_JWT_SECRET,
    "password_hash_time_cost": SUITE_HASH_COST.time_cost,
    "password_hash_memory_kib": SUITE_HASH_COST.memory_kib,
    "password_hash_parallelism": SUITE_HASH_COST.parallelism,
    "login_max_failures": 5,
    "login_failure_window_s": 900,
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


def api_key(key: str) -> Headers:
    return {API_KEY_HEADER: key}
