"""HEAD, OPTIONS and 405 as HTTP defines them, for every path of the app at once.

FastAPI makes one route per method and answers a wrong method with the Allow header of
whichever route matched first (PUT /users/4 said `Allow: GET` though PATCH and DELETE
exist), and it gives no HEAD or OPTIONS. Here, before routing:
- HEAD runs the GET of that path and sends its status and headers without the body
  (RFC 9110 9.3.2: load balancers probe with it);
- OPTIONS answers 204 with `Allow` listing every method of the path;
- any other method the path does not support is a 405 in the one error shape, with the
  same complete `Allow` (RFC 9110 15.5.6).
The methods of a path are asked of the router itself, so a new route is covered at once.
A path no route knows goes on to the router (404).
"""

from collections.abc import Iterable

from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_response

# The methods any route of the service may have; HEAD and OPTIONS are added here.
ROUTABLE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _matches(routes: Iterable[BaseRoute], scope: Scope, method: str) -> bool:
    # A fresh scope per probe: matching may write routing state into the scope it is given.
    probe: Scope = {
        "type": "http",
        "method": method,
        "path": scope["path"],
        "root_path": scope.get("root_path", ""),
        "headers": [],
    }
    return any(route.matches(probe)[0] == Match.FULL for route in routes)


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> set[str]:
    """Every method the path of `scope` answers; empty when no route has that path."""
    routes = list(routes)
    found = {method for method in ROUTABLE_METHODS if _matches(routes, scope, method)}
    if not found:
        return set()
    if "GET" in found:
        found.add("HEAD")
    return found | {"OPTIONS"}


def allow_header(methods: set[str]) -> dict[str, str]:
    return {"Allow": ", ".join(sorted(methods))}


async def _send_without_body(send: Send, message: Message) -> None:
    if message["type"] == "http.response.body":
        if message.get("more_body", False):
            return  # the headers (Content-Length included) already went out
        message = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(message)


def _method_not_allowed(method: str, allowed: set[str]) -> Response:
    return error_response(
        405,
        "method_not_allowed",
        f"{method} is not allowed here; use one of: {', '.join(sorted(allowed))}.",
        headers=allow_header(allowed),
    )


class HttpMethodsMiddleware:
    """Pure ASGI; the routes come from `scope["app"]`, the app being served."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        routes: list[BaseRoute] = scope["app"].router.routes
        if method not in ("HEAD", "OPTIONS") and _matches(routes, scope, method):
            await self.app(scope, receive, send)  # the usual case: one probe
            return
        allowed = allowed_methods(routes, scope)
        if method == "HEAD":
            await self._head(scope, receive, send, allowed)
        elif not allowed:
            await self.app(scope, receive, send)  # no such path: the router's 404
        elif method == "OPTIONS":
            await Response(status_code=204, headers=allow_header(allowed))(scope, receive, send)
        else:
            await _method_not_allowed(method, allowed)(scope, receive, send)

    async def _head(self, scope: Scope, receive: Receive, send: Send, allowed: set[str]) -> None:
        async def headers_only(message: Message) -> None:
            await _send_without_body(send, message)

        if "GET" in allowed:
            await self.app({**scope, "method": "GET"}, receive, headers_only)
        elif allowed:
            await _method_not_allowed("HEAD", allowed)(scope, receive, headers_only)
        else:
            await self.app(scope, receive, headers_only)  # the router's 404, without a body
