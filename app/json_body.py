"""Request bodies are read as I-JSON (RFC 7493), the strict profile of JSON for protocols.

Python's `json` is lenient where a caller can be ambiguous or hostile: it guesses
UTF-16 or a byte-order mark, keeps the last of two equal keys, reads NaN, accepts lone
surrogate escapes, and fails with an unexpected error on invalid UTF-8 or deep nesting
(which FastAPI answered as a bare 400). Here every such body is refused as "not valid
JSON", so it gets the one answer for a wrong body: 422 `validation_failed`. A proxy
and the service can then never read the same bytes two ways.

Every router of the service uses `StrictJsonRoute`; `tests/` checks that every operation
with a body refuses these.
"""

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

BYTE_ORDER_MARK = b"\xef\xbb\xbf"
DEFAULT_MAX_DEPTH = 32
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse(reason: str, doc: str = "", pos: int = 0) -> json.JSONDecodeError:
    # FastAPI turns a JSONDecodeError into a `json_invalid` validation error (422).
    return json.JSONDecodeError(reason, doc, pos)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("a member name appears twice in one object")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _decode_utf8(body: bytes) -> str:
    if body.startswith(BYTE_ORDER_MARK):
        raise _refuse("the body starts with a byte-order mark")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse("the body is not valid UTF-8", pos=exc.start) from None


def _check_shape(value: Any, max_depth: int) -> None:
    """Nesting within `max_depth` and no lone surrogate in a string; walked without recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if LONE_SURROGATE.search(item):
                raise _refuse("a string holds a lone surrogate escape")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > max_depth:
            raise _refuse(f"the body is nested deeper than {max_depth} levels")
        children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children)


def loads(body: bytes, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Parse a request body as I-JSON; anything else raises `json.JSONDecodeError`."""
    text = _decode_utf8(body)
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _refuse(f"the body is nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise _refuse(str(exc)) from None
    _check_shape(value, max_depth)
    return value


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            settings = getattr(self.app.state, "settings", None)
            max_depth = getattr(settings, "json_max_depth", DEFAULT_MAX_DEPTH)
            self._json = loads(await self.body(), max_depth)
        return self._json


class StrictJsonRoute(APIRoute):
    """An APIRoute whose body is read by `StrictJsonRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
