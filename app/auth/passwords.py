"""Argon2id password hashes, with the cost taken from settings.

A wrong password and an unknown account must cost the same: `verify_password`
checks against a dummy hash of the same cost when there is no real one, and a hash
made at an older cost is made again at sign-in (`needs_rehash`), or checking it
would take another time than the dummy's.
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


def needs_rehash(password_hash: str, cost: HashCost) -> bool:
    """True when the stored hash was made with other parameters than `cost`."""
    try:
        return _hasher(cost).check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False  # not ours to fix here: such a hash never verifies anyway
