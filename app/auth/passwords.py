"""Argon2id password hashes, with the cost taken from settings.

A wrong password and an unknown account must cost the same: `verify_password`
checks against a dummy hash of the same cost when there is no real one.
"""

from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.settings import Settings


@dataclass(frozen=True)
class HashCost:
    time_cost: int
    memory_kib: int
    parallelism: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "HashCost":
        return cls(
            settings.password_hash_time_cost,
            settings.password_hash_memory_kib,
            settings.password_hash_parallelism,
        )


@lru_cache(maxsize=8)
def _hasher(cost: HashCost) -> PasswordHasher:
    return PasswordHasher(
        time_cost=cost.time_cost, memory_cost=cost.memory_kib, parallelism=cost.parallelism
    )


@lru_cache(maxsize=8)
def _dummy_hash(cost: HashCost) -> str:
    # Made once per cost; verifying against it takes as long as against a real hash.
    return _hasher(cost).hash("no account has this password: it only burns the same time")


def hash_password(password: str, cost: HashCost) -> str:
    return _hasher(cost).hash(password)


def verify_password(password_hash: str | None, password: str, cost: HashCost) -> bool:
    """True only for a real hash that matches; the same work is done either way."""
    hasher = _hasher(cost)
    try:
        if password_hash is None:
            hasher.verify(_dummy_hash(cost), password)
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
