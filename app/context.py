"""Per-request context, held in a contextvar: the request id, for answers and logs.

The middleware sets a fresh `RequestContext` for every request; FastAPI runs sync
dependencies and routes in a threadpool with a copy of the context, which still holds it.
"""

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"


# What a tenant is named by (header, token claim): lower-case letters, digits, inner hyphens.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True)
class TenantRef:
    id: int
    slug: str


@dataclass(frozen=True)
class RequestContext:
    request_id: str


_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def current_request_id() -> str:
    ctx = _current.get()
    return ctx.request_id if ctx else "-"


def _valid_request_id(value: str) -> bool:
    # Echoed back into headers and logs: keep it short and printable.
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()


class RequestContextMiddleware:
    """Pure ASGI middleware: one `RequestContext` per request, request id echoed back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and _valid_request_id(incoming) else uuid.uuid4().hex
        token = _current.set(RequestContext(request_id=request_id))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return bytes(value).decode("latin-1")
    return None
