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
- `{x:Action}`   one of the actions of the authorization table (harness.actions)
- `{x:S}`, `{x:Is}`  an optional plural "s", and "is"/"are": "1 user is" and "2 users are"
                 are one sentence
- `{x:CodePoint}` a character by its code point, U+0085, as the character
- `{x:d}`        parse's own integer
"""

import re
from collections.abc import Iterable
from typing import Any

import parse
from pytest_bdd import parsers

from harness.actions import ACTIONS
from harness.auth import FORGERIES

NAME = r"[A-Z][a-z]+"


@parse.with_pattern(NAME)
def _name(text: str) -> str:
    return text


@parse.with_pattern(rf"{NAME}(?:(?:, | and ){NAME})*")
def _names(text: str) -> list[str]:
    return [name.strip() for name in text.replace(" and ", ",").split(",")]


@parse.with_pattern(r"an? (?:admin|member)")
def _role(text: str) -> str:
    return text.split()[-1]


@parse.with_pattern(r'[^"]*')
def _text(text: str) -> str:
    return text


@parse.with_pattern(rf"{NAME}(?:'s browser)?|the \"[^\"]+\" key|someone without credentials")
def _caller(text: str) -> str:
    return text


@parse.with_pattern(r"[a-z][a-z_-]*(?: [a-z][a-z_-]*)*")
def _words(text: str) -> str:
    return text


@parse.with_pattern(r"GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS")
def _method(text: str) -> str:
    return text


@parse.with_pattern(r"/\S*")
def _path(text: str) -> str:
    return text


@parse.with_pattern(r".+")
def _value(text: str) -> str:
    return text


@parse.with_pattern(r"U\+[0-9A-F]{4,6}")
def _code_point(text: str) -> str:
    return chr(int(text[2:], 16))


@parse.with_pattern(r"admin|member")
def _bare_role(text: str) -> str:
    return text


@parse.with_pattern(r"is|are")
def _is(text: str) -> str:
    return text


@parse.with_pattern(r"s?")
def _plural(text: str) -> str:
    return text


def _one_of(choices: Iterable[str]) -> Any:
    """A type that matches exactly one of `choices` (longest first, so none hides another)."""
    ordered = sorted(choices, key=len, reverse=True)
    return parse.with_pattern("|".join(re.escape(choice) for choice in ordered))(lambda t: t)


TYPES: dict[str, Any] = {
    "Role": _bare_role,
    "S": _plural,
    "Is": _is,
    "Forgery": _one_of(FORGERIES),
    "Action": _one_of(ACTIONS),
    "Method": _method,
    "Path": _path,
    "Value": _value,
    "Name": _name,
    "Names": _names,
    "ARole": _role,
    "Text": _text,
    "Caller": _caller,
    "Words": _words,
    "CodePoint": _code_point,
}


def phrase(pattern: str) -> parsers.parse:
    """A step text with typed placeholders (see the module docstring)."""
    return parsers.parse(pattern, extra_types=TYPES, case_sensitive=True)
