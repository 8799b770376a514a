"""What a caller presents: a bearer token, the session cookie, or an API key.

FastAPI's security classes read them (and document them in OpenAPI); nothing here
touches the database. Presenting two different credentials is refused rather than
resolved by precedence: an ambiguous request has no safe reading.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.errors import AppError

API_KEY_HEADER = "X-API-Key"
# __Host-: browsers accept this cookie only from this host, over HTTPS, for path "/" and
# without a Domain, so a sibling subdomain cannot plant ("toss") one of its own.
COOKIE_NAME = "__Host-access_token"
REALM = 'Bearer realm="tenant-service"'

bearer_scheme = HTTPBearer(auto_error=False, description="Token from /auth/login.")
cookie_scheme = APIKeyCookie(name=COOKIE_NAME, auto_error=False, description="Set by /auth/login.")
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="Machine client key."
)


class Unauthenticated(AppError):
    status_code = 401
    code = "unauthenticated"

    # Not mutated (here and below): a message's wording, and a header name's letter case
    # (header names are case-insensitive); the scenarios pin the code, status and challenge.
    def __init__(
        self,
        message: str = "Sign in, or send an API key.",  # pragma: no mutate
    ) -> None:
        super().__init__(
            message,
            headers={
                "WWW-Authenticate": REALM,  # pragma: no mutate
            },
        )


class InvalidCredentials(AppError):
    status_code = 401
    code = "invalid_credentials"

    # Not mutated: the wording and the header name's letter case, as above.
    def __init__(
        self,
        message: str = "The credentials are not valid.",  # pragma: no mutate
    ) -> None:
        super().__init__(
            message,
            headers={
                "WWW-Authenticate": f'{REALM}, error="invalid_token"',  # pragma: no mutate
            },
        )


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class TenantMismatch(Forbidden):
    code = "tenant_mismatch"


@dataclass(frozen=True)
class Credentials:
    token: str | None
    api_key: str | None

    def require_one(self) -> None:
        if self.token is None and self.api_key is None:
            raise Unauthenticated()
        if self.token is not None and self.api_key is not None:
            raise InvalidCredentials("Send either a token or an API key, not both.")


def cookie_count(request: Request, name: str) -> int:
    """How often the request carries the cookie `name`, over every Cookie header.

    Starlette keeps one of two cookies with the same name, silently; this counts them all.
    """
    return sum(
        1
        for header in request.headers.getlist("cookie")
        for pair in header.split(";")
        if "=" in pair and pair.split("=", 1)[0].strip() == name
    )


# async: header parsing only, so no worker thread hop (FastAPI sends sync dependencies to one).
async def presented_credentials(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Credentials:
    if cookie_count(request, COOKIE_NAME) > 1:
        # Two session cookies (one planted by someone else?): no safe way to pick one.
        raise InvalidCredentials("The session cookie was sent more than once.")
    header_token = bearer.credentials if bearer else None
    if header_token and cookie and header_token != cookie:
        raise InvalidCredentials("The bearer token and the session cookie disagree.")
    return Credentials(token=header_token or cookie or None, api_key=api_key or None)
