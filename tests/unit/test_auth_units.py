"""The pieces of authentication on their own: hashing cost, equal work, token rules."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError

from app.auth import api_keys, tokens
from app.auth.passwords import HashCost, hash_password, needs_rehash, verify_password
from app.settings import Settings
from harness.auth import SUITE_HASH_COST, SUITE_JWT_SECRET

SETTINGS = Settings(
    database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret=SUITE_JWT_SECRET
)


def test_the_signing_secret_has_no_default_and_must_be_long() -> None:
    with pytest.raises(ValidationError, match="jwt_secret"):
        Settings(database_url="postgresql://u@h/d")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(database_url="postgresql://u@h/d", jwt_secret="short")


def test_the_hash_cost_comes_from_settings() -> None:
    cost = HashCost(time_cost=2, memory_kib=16, parallelism=1)
    assert hash_password("pw", cost).startswith("$argon2id$v=19$m=16,t=2,p=1$")


def test_an_unknown_account_costs_the_same_argon2_work_as_a_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verified: list[str] = []
    real_verify = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: str, password: str) -> bool:
        verified.append(hash.split("$")[3])  # the cost part: m=..,t=..,p=..
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    stored = hash_password("right", SUITE_HASH_COST)
    assert verify_password(stored, "wrong", SUITE_HASH_COST) is False
    assert verify_password(None, "wrong", SUITE_HASH_COST) is False
    assert verify_password(stored, "right", SUITE_HASH_COST) is True
    assert verified == ["m=8,t=1,p=1"] * 3


def test_a_corrupt_stored_hash_is_a_failed_check_not_an_error() -> None:
    assert verify_password("not-a-hash", "pw", SUITE_HASH_COST) is False


def _claims(**changes: object) -> dict[str, object]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": "7",
        "tenant": "acme",
        "role": "admin",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_an_issued_token_decodes_to_its_claims() -> None:
    token = tokens.issue(SETTINGS, user_id=7, tenant="acme", role="member")
    assert tokens.decode(SETTINGS, token) == tokens.Claims(user_id=7, tenant="acme", role="member")


def test_the_largest_user_id_postgresql_can_hold_is_accepted() -> None:
    token = tokens.issue(SETTINGS, user_id=2**63 - 1, tenant="acme", role="member")
    assert tokens.decode(SETTINGS, token).user_id == 2**63 - 1


def test_a_hash_made_at_another_cost_needs_making_again() -> None:
    cheaper = HashCost(time_cost=1, memory_kib=8, parallelism=1)
    dearer = HashCost(time_cost=2, memory_kib=8, parallelism=1)
    assert needs_rehash(hash_password("pw", cheaper), dearer) is True
    assert needs_rehash(hash_password("pw", dearer), dearer) is False


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(_claims(), None, algorithm="none"),
        jwt.encode(_claims(), SUITE_JWT_SECRET * 2, algorithm="HS512"),  # >= 64 bytes
        jwt.encode(_claims(), "k" * 40, algorithm="HS256"),
        jwt.encode(_claims(exp=None), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(iat=None), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(tenant=None), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="7 OR 1=1"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(tenant=["acme"]), SUITE_JWT_SECRET, algorithm="HS256"),
        # Digits that str.isdigit() takes but we never write (int("\u0661") is 1), a subject
        # past bigint, and forms of a number we do not issue.
        jwt.encode(_claims(sub="²"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="\u0661"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="9" * 30), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub=str(2**63)), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="007"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="0"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="-1"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(sub="7\n"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(tenant="ACME"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(tenant="acme\u0000"), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(role=None), SUITE_JWT_SECRET, algorithm="HS256"),
        jwt.encode(_claims(role=["admin"]), SUITE_JWT_SECRET, algorithm="HS256"),
        "x" * (tokens.MAX_TOKEN_LENGTH + 1),
        "",
    ],
    ids=[
        "alg-none",
        "other-alg",
        "other-key",
        "no-exp",
        "no-iat",
        "no-tenant",
        "odd-sub",
        "tenant-list",
        "sub-superscript-two",
        "sub-arabic-indic-one",
        "sub-thirty-nines",
        "sub-past-bigint",
        "sub-leading-zeros",
        "sub-zero",
        "sub-negative",
        "sub-trailing-newline",
        "tenant-not-a-slug",
        "tenant-with-nul",
        "no-role",
        "role-list",
        "too-long",
        "empty",
    ],
)
def test_tokens_the_service_did_not_issue_are_refused(token: str) -> None:
    with pytest.raises(tokens.InvalidToken):
        tokens.decode(SETTINGS, token)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "tsk",
        "tsk_short_secret",
        "abc_0123456789ab_secret",
        "tsk_0123456789ab_",
        "tsk_" + "a" * 200,
    ],
)
def test_malformed_api_keys_have_no_prefix(key: str) -> None:
    assert api_keys.prefix_of(key) is None


def test_a_new_api_key_carries_its_prefix_and_is_stored_only_as_a_digest() -> None:
    key = api_keys.new_key()
    prefix = api_keys.prefix_of(key)
    assert prefix is not None and key.startswith(f"tsk_{prefix}_")
    assert api_keys.digest(key) != key and len(api_keys.digest(key)) == 64
