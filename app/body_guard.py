"""Refuses request bodies the service will not read, before any route runs.

- A body that is not JSON (by its Content-Type) answers 415: every body this service
  takes is JSON, and FastAPI would otherwise hand the raw bytes to validation.
- A body larger than `max_body_bytes` answers 413. A declared Content-Length is
  checked up front; a body without one (chunked) is counted as it streams, by
  Starlette's own `RequestBodyLimitMiddleware`, whose 413 reaches our error handler.

Pure ASGI and placed inside the request-context middleware, so both answers have the
one error shape and the request id.
"""

from email.message import Message as MimeMessage

from starlette.datastructures import Headers
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import error_response

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def is_json(content_type: str) -> bool:
    message = MimeMessage()
    message["content-type"] = content_type  # pragma: no mutate (header names: any case)
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class BodyGuardMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.max_body_bytes = max_body_bytes
        self.app = RequestBodyLimitMiddleware(app, max_body_size=max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        declared = int(length) if length and length.isdigit() else None
        has_body = (declared or 0) > 0 or "transfer-encoding" in headers
        if declared is not None and declared > self.max_body_bytes:
            response = error_response(
                413,
                "body_too_large",
                f"The request body is larger than {self.max_body_bytes} bytes.",
            )
        elif has_body and not is_json(headers.get("content-type", "")):
            response = error_response(
                415, "unsupported_media_type", "Send the request body as application/json."
            )
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
