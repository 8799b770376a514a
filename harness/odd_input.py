"""Generated searches that stand for a whole class of input, not one example of it.

What people (or attackers) type into a sign-in form, what a token signed with the
service's own key may claim, and API keys the service never issued, near one it did.
Each search has a fixed seed (`derandomize`) and a small budget, does not shrink (every
shrinking step would be more requests), and reports the first input the service answered
wrongly, in the probe's words.
"""

import string
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.auth.api_keys import MAX_KEY_LENGTH
from app.context import SLUG_PATTERN

T = TypeVar("T")

BUDGET = 40

# Characters typed into an email field: 'İ' becomes two characters in lower case, the
# others change case, look alike, or are invisible.
TYPED_CHARACTERS = "aZ@._-+ İıßẞΣσﬁé\u00a0\u200b😀"
# Zeros of other scripts' decimal digits: int() reads them as numbers, we never write them.
OTHER_ZEROS = ("\u0660", "\u06f0", "\u0966", "\u09e6", "\u0e50", "\uff10", "\U0001d7ce")


class _Found(Exception):
    """The probe objected to a value (the search stops there)."""


def first_counterexample(
    strategy: st.SearchStrategy[T], probe: Callable[[T], str | None], budget: int = BUDGET
) -> str | None:
    """Run `probe` on up to `budget` generated values; its words about the first it objects to."""
    found: list[str] = []

    @settings(
        max_examples=budget,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def search(value: T) -> None:
        problem = probe(value)
        if problem is not None:
            found.append(problem)
            raise _Found(problem)

    try:
        search()
    except Exception:
        if not found:
            raise  # the probe itself broke: that is no finding
    return found[0] if found else None


def typed_emails() -> st.SearchStrategy[str]:
    characters = st.sampled_from(TYPED_CHARACTERS)
    return st.one_of(
        st.sampled_from(["alice@acme.example", "ALICE@ACME.EXAMPLE", " alice@acme.example ", " "]),
        st.text(characters, min_size=1, max_size=40),
        st.text(characters, min_size=300, max_size=330),  # around the column's 320
        st.text(min_size=1, max_size=30),  # anything at all
    )


def typed_passwords() -> st.SearchStrategy[str]:
    """Passwords that open no account of the scenarios (the right one would, in Acme only)."""
    return st.one_of(
        st.just("Correct Horse Battery Staple"),
        st.text(min_size=1, max_size=30),
        st.text(st.sampled_from(TYPED_CHARACTERS), min_size=1000, max_size=1024),
    )


def sign_in_forms() -> st.SearchStrategy[tuple[str, str]]:
    """An email and a password as someone might type them into the sign-in form."""
    return st.tuples(typed_emails(), typed_passwords())


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=4,
    )


def _odd_subjects(user_id: int) -> st.SearchStrategy[Any]:
    own = str(user_id)
    written_otherwise = st.sampled_from(OTHER_ZEROS).map(
        lambda zero: "".join(chr(ord(zero) + int(digit)) for digit in own)
    )
    padded = st.sampled_from([f"0{own}", f"+{own}", f" {own}", f"{own} ", f"{own}\n", f"{own}.0"])
    return st.one_of(
        written_otherwise,
        padded,
        st.sampled_from(["²", "0", "-1", str(2**63), "9" * 30]),
        st.text(max_size=20).filter(lambda text: text != own),
        _json_values().filter(lambda value: not isinstance(value, str)),
    )


def _odd_tenants(slug: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from([slug.upper(), f" {slug}", f"{slug}\n", f"{slug}\u0000", ""]),
        st.text(max_size=20).filter(lambda text: not SLUG_PATTERN.fullmatch(text)),
        _json_values().filter(lambda value: not isinstance(value, str)),
    )


def odd_claims(user_id: int, slug: str) -> st.SearchStrategy[dict[str, Any]]:
    """A person's claims with one of them (subject, tenant or role) as we never write it."""
    own = {"sub": str(user_id), "tenant": slug, "role": "admin"}
    roles = _json_values().filter(lambda value: not isinstance(value, str))
    return st.one_of(
        _odd_subjects(user_id).map(lambda value: own | {"sub": value}),
        _odd_tenants(slug).map(lambda value: own | {"tenant": value}),
        roles.map(lambda value: own | {"role": value}),
    )


# What a header can carry (httpx sends ASCII; no control characters).
HEADER_CHARACTERS = string.ascii_letters + string.digits + string.punctuation + " "


def api_keys_near(real: str) -> list[str]:
    """Keys the service never issued, each one edit away from `real` in its form: a part
    missing or empty, one too many, a part a character short or long, another scheme, the
    length limit met and passed. Every one of them is tried, before the search."""
    scheme, prefix, secret = real.split("_", 2)
    padding = "a" * (MAX_KEY_LENGTH - len(scheme) - len(prefix) - 2)
    near = [
        f"{scheme}_{prefix}",
        f"{scheme}_{prefix}_",
        f"{scheme}__{secret}",
        f"{scheme}_{prefix}_{secret}_",
        f"{scheme}_{prefix}_{secret}_{secret}",
        f"{scheme}_{prefix}_{secret[:-1]}",
        f"{scheme}_{prefix}_{secret}a",
        f"{scheme}_{prefix[:-1]}_{secret}",
        f"{scheme}_{prefix}0_{secret}",
        f"{scheme.upper()}_{prefix}_{secret}",
        f"{scheme}-{prefix}-{secret}",
        f"{prefix}_{secret}",
        f"_{prefix}_{secret}",
        f"{scheme}_{prefix}_{padding}",  # exactly at the length limit
        f"{scheme}_{prefix}_{padding}a",  # one past it
        f"{scheme}_{prefix}_{secret.swapcase()}",
    ]
    return [key for key in near if key != real]


def made_up_api_keys(real: str) -> st.SearchStrategy[str]:
    """API keys the service never issued: the real one edited or cut, keys of underscored
    parts, anything at all a header can carry."""
    characters = st.sampled_from(HEADER_CHARACTERS)
    edited = st.tuples(st.integers(0, len(real) - 1), characters).map(
        lambda edit: real[: edit[0]] + edit[1] + real[edit[0] + 1 :]
    )
    cut = st.integers(1, len(real) - 1).map(lambda n: real[:n])
    parts = st.text(st.sampled_from(string.ascii_letters + string.digits + "-"), max_size=14)
    underscored = st.lists(parts, min_size=1, max_size=5).map("_".join)
    anything = st.text(characters, min_size=1, max_size=2 * MAX_KEY_LENGTH)
    # Header values lose spaces at their ends on the wire; a key that is only spaces is no key.
    return (
        st.one_of(edited, cut, underscored, anything)
        .map(str.strip)
        .filter(lambda key: bool(key) and key != real)
    )


def shown(value: object, limit: int = 40) -> str:
    """A value as a reader can take it in: quoted, escaped, long ones cut with their length."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(str(value))} characters)"
