"""Request bodies that JSON readers disagree on, for every operation that takes a body.

`operations_with_body(app)` reads the app's OpenAPI document, so a new operation with a
body is covered at once (and must add its well-formed body to `VALID_BODIES`).
`unreadable(problem, valid)` turns a well-formed body into one kind of bytes a lenient
parser would read some way: not UTF-8, a byte-order mark, a duplicate field, ...
"""

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

Operation = tuple[str, str]  # (method, path as the OpenAPI document writes it)

# A well-formed body for each operation that takes one: only the bytes are wrong.
VALID_BODIES: dict[Operation, dict[str, Any]] = {
    ("POST", "/users"): {"name": "Robin", "email": "robin@acme.example"},
    ("PATCH", "/users/{user_id}"): {"name": "Robin"},
    ("POST", "/auth/login"): {"email": "robin@acme.example", "password": "not the password"},
    ("POST", "/api-keys"): {"name": "robin"},
    ("POST", "/counters/increments"): {"names": ["visits"]},
}
DEEP = 5000


def operations_with_body(app: FastAPI) -> list[Operation]:
    operations = [
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    missing = sorted(set(operations) - set(VALID_BODIES))
    assert not missing, f"add a well-formed body for {missing} to harness.bodies.VALID_BODIES"
    return sorted(operations)


def _text(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def _inside_first_string(body: dict[str, Any], insert: bytes) -> bytes:
    """The body's bytes with `insert` at the start of its first string value."""
    text = _text(body)
    quote = text.index(b'"', text.index(b":")) + 1
    return text[:quote] + insert + text[quote:]


def _first_member(body: dict[str, Any]) -> tuple[str, Any]:
    return next(iter(body.items()))


def _same_field_twice(body: dict[str, Any]) -> bytes:
    key, value = _first_member(body)
    return _text(body)[:-1] + b", " + json.dumps({key: value}).encode()[1:]


def _nested(body: dict[str, Any]) -> bytes:
    key, _ = _first_member(body)
    return b'{"' + key.encode() + b'": ' + b"[" * DEEP + b"]" * DEEP + b"}"


def _nan(body: dict[str, Any]) -> bytes:
    key, value = _first_member(body)
    return _text(body).replace(json.dumps({key: value}).encode()[1:-1], f'"{key}": NaN'.encode())


UNREADABLE: dict[str, Callable[[dict[str, Any]], bytes]] = {
    "text that is not UTF-8": lambda body: _inside_first_string(body, b"\xff"),
    "UTF-16 text": lambda body: json.dumps(body).encode("utf-16"),
    "JSON behind a byte-order mark": lambda body: b"\xef\xbb\xbf" + _text(body),
    "a string holding a lone surrogate escape": lambda body: _inside_first_string(body, b"\\ud800"),
    f"JSON nested {DEEP} levels deep": _nested,
    "an object naming the same field twice": _same_field_twice,
    "a number JSON does not have (NaN)": _nan,
}


def unreadable(problem: str, valid: dict[str, Any]) -> bytes:
    try:
        return UNREADABLE[problem](valid)
    except KeyError:
        raise AssertionError(f"no body {problem!r}; known: {sorted(UNREADABLE)}") from None
