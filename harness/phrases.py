"""The vocabulary of step texts: typed placeholders, so one sentence matches one definition.

Every step definition uses `phrase(...)`: pytest-bdd's `parse` parser, case-sensitive,
with these types instead of parse's catch-all `{}`, so "Acme removes the user with the id
1.5" cannot also read as "{tenant} removes {person}".

- `{x:Name}`     a capitalised name: Acme, Globex, Alice
- `{x:Names}`    "Alice", "Alice and Bob", "Alice, Bob and Carol", as a list
- `{x:ARole}`    "an admin" or "a member", as "admin" / "member"
- `{x:Text}`     anything inside double quotes (write the quotes in the pattern)
- `{x:Caller}`   who sends a request: Alice, Alice's browser, the "ci" key,
                 someone without credentials
- `{x:Words}`    one or more lower-case words (a kind of record, a field, a behaviour)
- `{x:Method}`   an HTTP method; `{x:Path}` a path as the API documents it (/users/{id})
- `{x:Value}`    a literal from an Examples table, as typed there (JSON, or a word)
- `{x:Role}`     "admin" or "member", without an article
- `{x:Forgery}`  one of the forged tokens harness.auth knows how to make
- `{x:MadeUp}`   credentials an outsider makes up (harness.auth.MADE_UP_CREDENTIALS)
- `{x:Action}`   one of the actions of the authorization table (harness.actions)
- `{x:Keying}`   how creations at the same moment are keyed (harness.races)
- `{x:Rival}`    the request that meets a removal of the same person (harness.races)
- `{x:Listing}`  a paged list: "users" or "API keys"; `{x:Item}` one of its items
                 ("user", "API key")
- `{x:Limited}`  what a tenant may keep only so many of: "counters", "active API keys"
                 (or one of them)
- `{x:S}`, `{x:Is}`  an optional plural "s", and "is"/"are": "1 user is" and "2 users are"
                 are one sentence
- `{x:CodePoint}` a character by its code point, U+0085, as the character
- `{x:d}`        parse's own integer
"""

import re
from collections.abc import Callable, Iterable
from typing import Any

import parse
from pytest_bdd import parsers

from harness.actions import ACTIONS
from harness.api import PAGED_LISTS
from harness.auth import FORGERIES, MADE_UP_CREDENTIALS
from harness.limits import LIMITED_RECORDS
from harness.races import KEYINGS, RIVALS

NAME = r"[A-Z][a-z]+"


def _kind(pattern: str, convert: Callable[[str], Any] | None = None) -> Any:
    """A placeholder type for parse: a converter that carries the regex it matches."""
    return parse.with_pattern(pattern)(convert or (lambda text: text))


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.replace(" and ", ",").split(",")]


def _one_of(choices: Iterable[str]) -> Any:
    """A type that matches exactly one of `choices` (longest first, so none hides another)."""
    ordered = sorted(choices, key=len, reverse=True)
    return _kind("|".join(re.escape(choice) for choice in ordered))


TYPES: dict[str, Any] = {
    "Name": _kind(NAME),
    "Names": _kind(rf"{NAME}(?:(?:, | and ){NAME})*", _names),
    "ARole": _kind(r"an? (?:admin|member)", lambda text: text.split()[-1]),
    "Role": _kind(r"admin|member"),
    "Text": _kind(r'[^"]*'),
    "Caller": _kind(rf"{NAME}(?:'s browser)?|the \"[^\"]+\" key|someone without credentials"),
    "Words": _kind(r"[a-z][a-z_-]*(?: [a-z][a-z_-]*)*"),
    "Method": _kind(r"GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS"),
    "Path": _kind(r"/\S*"),
    "Value": _kind(r".+"),
    "S": _kind(r"s?"),
    "Is": _kind(r"is|are"),
    "Forgery": _one_of(FORGERIES),
    "MadeUp": _one_of(MADE_UP_CREDENTIALS),
    "Action": _one_of(ACTIONS),
    "Keying": _one_of(KEYINGS),
    "Rival": _one_of(RIVALS),
    "Listing": _one_of(PAGED_LISTS),
    "Item": _one_of(["user", "API key"]),
    "Limited": _one_of(LIMITED_RECORDS),
    "CodePoint": _kind(r"U\+[0-9A-F]{4,6}", lambda text: chr(int(text[2:], 16))),
}


def phrase(pattern: str) -> parsers.parse:
    """A step text with typed placeholders (see the module docstring)."""
    return parsers.parse(pattern, extra_types=TYPES, case_sensitive=True)
