"""Request bodies that JSON readers disagree on, for every operation that takes a body.

`operations_with_body(app)` reads the app's OpenAPI document, so a new operation with a
body is covered at once (and must add its well-formed body to `VALID_BODIES`).
`unreadable(problem, valid)` turns a well-formed body into one kind of bytes a lenient
parser would read some way: not UTF-8, a byte-order mark, a duplicate field, ...
`new_user_body(form, limit)` is a new user's body as the scenarios name it, with the
Content-Type it is sent under: refused forms (not JSON, too large, ...) and accepted ones.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI

from harness.people import VALID_NEW_USER

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


JSON = "application/json"


def _in_pieces(body: bytes, size: int = 4096) -> Iterator[bytes]:
    # No Content-Length: the service can only count the bytes as they arrive.
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _padded_to(size: int) -> bytes:
    """A valid new user whose JSON text is exactly `size` bytes (blanks after the object)."""
    text = json.dumps(VALID_NEW_USER).encode()
    assert len(text) <= size, f"a new user does not fit in {size} bytes"
    return text + b" " * (size - len(text))


def new_user_body(form: str, limit: int) -> tuple[bytes | Iterable[bytes], str | None]:
    """A new user's body in `form`, and its Content-Type (None: no such header); `limit` is
    the service's body limit."""
    valid = json.dumps(VALID_NEW_USER).encode()
    forms: dict[str, Callable[[], tuple[bytes | Iterable[bytes], str | None]]] = {
        "malformed JSON": lambda: (valid[:-5], JSON),
        "a JSON list": lambda: (json.dumps([VALID_NEW_USER]).encode(), JSON),
        "JSON with the name and the email of the wrong type": lambda: (
            json.dumps({"name": 42, "email": ["robin@acme.example"]}).encode(),
            JSON,
        ),
        "plain text": lambda: (b"name=Robin Doe, email=robin@acme.example", "text/plain"),
        "a single character of plain text": lambda: (b"R", "text/plain"),
        "JSON without a content type": lambda: (valid, None),
        "plain text sent in pieces": lambda: (_in_pieces(b"name=Robin Doe"), "text/plain"),
        "a web form": lambda: (
            b"name=Robin+Doe&email=robin%40acme.example",
            "application/x-www-form-urlencoded",
        ),
        "JSON larger than the limit": lambda: (_padded_to(limit + 1), JSON),
        "a large body sent in pieces": lambda: (_in_pieces(_padded_to(limit + 1)), JSON),
        "JSON exactly as large as the limit": lambda: (_padded_to(limit), JSON),
        "JSON naming its character set": lambda: (valid, "application/json; charset=utf-8"),
        "JSON of a media type ending in +json": lambda: (valid, "application/vnd.acme.user+json"),
    }
    try:
        return forms[form]()
    except KeyError:
        raise AssertionError(f"no new user body {form!r}; known: {sorted(forms)}") from None
