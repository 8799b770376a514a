"""One error shape for every failure the service answers.

    {"error": {"code": "...", "message": "...", "request_id": "...", "details": [...]}}

The request id is also echoed in the `X-Request-ID` header. A 5xx never carries
exception text, SQL or a trace: those go to the server log only.
"""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.context import current_request_id

log = logging.getLogger("app.errors")


class AppError(Exception):
    """An error the service answers on purpose, with its own code and status."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        # Not mutated: str(exc) is never read (the answer is built from .message).
        super().__init__(message)  # pragma: no mutate
        self.message = message
        self.headers = headers


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"


def error_body(
    code: str, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "request_id": current_request_id()}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _http_code(status: int) -> str:
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "error"


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc.status_code, exc.code, exc.message, headers=exc.headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Starlette fills a missing detail with the status phrase; none of ours is other than text.
    message = str(exc.detail)
    # A streamed body over the limit (Starlette's limiter): same code as a declared one.
    code = "body_too_large" if exc.status_code == 413 else _http_code(exc.status_code)
    # Not mutated: no HTTPException that reaches here carries headers (405's Allow comes
    # from app/http_methods.py), so the branch is never taken.
    headers = dict(exc.headers) if exc.headers else None  # pragma: no mutate
    return error_response(exc.status_code, code, message, headers=headers)


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _error_message(err: dict[str, Any]) -> str:
    # A body that is not JSON says why (our own fixed reasons or the parser's, never the input).
    reason = (err.get("ctx") or {}).get("error") if err["type"] == "json_invalid" else None
    return f"{err['msg']}: {reason}" if reason else str(err["msg"])


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"field": _field_path(err["loc"]), "message": _error_message(err), "type": err["type"]}
        for err in exc.errors()
    ]
    if any(d["type"] == "json_invalid" for d in details):
        # The position in the body is in details; "body.17" would read as a field name.
        message = "The request body is not valid JSON."
    else:
        message = "Invalid input: " + ", ".join(sorted({d["field"] for d in details}))
    return error_response(422, "validation_failed", message, details=details)


# SQLSTATEs (PostgreSQL appendix A) that decide how a database failure is answered.
QUERY_CANCELED = "57014"  # statement_timeout (or a cancel request)
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
RETRYABLE_SQLSTATES = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})
RETRY_AFTER = {"Retry-After": "1"}


def sqlstate(exc: BaseException) -> str | None:
    """The PostgreSQL error code behind a SQLAlchemy error, if the server sent one.

    psycopg 3 calls it `sqlstate`, psycopg2 `pgcode`: the one driver-specific line.
    """
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(code) if code else None


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    """Every database failure the service can meet at run time, answered without its text.

    The server log keeps the driver's message; the caller learns only what it may do:
    - statement timeout: 503 `database_timeout` (the service is overloaded or a lock is
      held; 504 is kept for the outbound e-mail provider, a real gateway);
    - serialization failure / deadlock still losing after the bounded retries in
      `app.db.run_write`: 409 `write_conflict`, nothing of the request was written;
    - anything else (connection refused or killed, pool exhausted): 503.
    All three carry `Retry-After`: trying again is the right move.
    """
    code = sqlstate(exc)
    if code in RETRYABLE_SQLSTATES:
        log.warning("write conflict after retries: %s", exc.__class__.__name__, exc_info=exc)
        return error_response(
            409,
            "write_conflict",
            "Another change to the same data got in the way; nothing was saved. Try again.",
            headers=RETRY_AFTER,
        )
    if code == QUERY_CANCELED:
        log.error("database statement timed out", exc_info=exc)
        return error_response(
            503,
            "database_timeout",
            "The service took too long to answer; nothing was saved. Try again shortly.",
            headers=RETRY_AFTER,
        )
    log.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
    return error_response(
        503,
        "service_unavailable",
        "The service is temporarily unavailable; try again shortly.",
        headers=RETRY_AFTER,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    # OperationalError: the server's run-time failures (connection, timeout, conflicts);
    # InterfaceError: the driver found its connection already closed; PoolTimeout: no
    # connection free. Programming and integrity errors stay 500s: they are bugs.
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(error, _database_error)


class UnhandledErrorMiddleware:
    """Turns any exception that escaped the routes into the standard 500 body.

    Sits inside the request-context middleware so the answer still carries the
    request id; logs the full traceback on the server side.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def track(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, track)
        except Exception:
            log.exception(
                "unhandled error in %s %s (request %s)",
                scope.get("method"),
                scope.get("path"),
                current_request_id(),
            )
            if started:  # too late for a clean answer; the server closes the connection
                raise
            response = error_response(
                500, "internal_error", "Something went wrong on our side; it has been logged."
            )
            await response(scope, receive, send)
