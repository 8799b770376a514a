"""Sign-in and sign-out. Public routes: they name a tenant but need no principal."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import throttle, tokens
from app.auth.credentials import COOKIE_NAME, REALM, InvalidCredentials
from app.auth.passwords import HashCost, verify_password
from app.db import get_db
from app.json_body import StrictJsonRoute
from app.models import User
from app.schemas import LoginIn, TokenOut
from app.settings import Settings
from app.tenancy import TenantHeader, enter_tenant, find_tenant, parse_tenant_slug

router = APIRouter(prefix="/auth", tags=["auth"], route_class=StrictJsonRoute)


class WrongPassword(InvalidCredentials):
    """Wrong password, unknown email or unknown tenant: one answer for all three."""

    def __init__(self) -> None:
        super().__init__("The email or the password is wrong.")
        self.headers = {"WWW-Authenticate": REALM}  # no token was involved


# A sign-in as the document shows it: Alice, an admin of Acme (the schema fuzz seeds her).
SIGN_IN_EXAMPLE = {"email": "alice@acme.example", "password": "correct horse battery staple"}


@router.post("/login", response_model=TokenOut, responses={401: {}, 429: {}})
def login(
    body: Annotated[
        LoginIn,
        Body(openapi_examples={"alice": {"summary": "Alice of Acme", "value": SIGN_IN_EXAMPLE}}),
    ],
    request: Request,
    response: Response,
    session: Annotated[Session, Depends(get_db)],
    x_tenant_id: TenantHeader = None,
) -> TokenOut:
    settings: Settings = request.app.state.settings
    cost = HashCost.from_settings(settings)
    slug = parse_tenant_slug(x_tenant_id)  # 400 on syntax only: says nothing about existence
    email = body.email.strip().lower()
    tenant = find_tenant(session, slug)
    if tenant is None:
        verify_password(None, body.password, cost)  # same time as a wrong password
        raise WrongPassword()
    enter_tenant(session, tenant)
    # Counted per email whether or not it exists, so a 429 is no oracle either.
    throttle.check(session, settings, tenant.id, email)
    user = session.scalar(select(User).where(User.tenant_id == tenant.id, User.email == email))
    if not verify_password(user.password_hash if user else None, body.password, cost):
        throttle.record_failure(session, tenant.id, email)
        session.commit()
        raise WrongPassword()
    assert user is not None
    throttle.clear(session, tenant.id, email)
    session.commit()
    token = tokens.issue(settings, user_id=user.id, tenant=tenant.slug, role=user.role)
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.jwt_ttl_s,
        httponly=True,  # out of reach of page scripts (XSS)
        samesite="strict",  # not sent on cross-site requests (CSRF)
        secure=settings.auth_cookie_secure,
        path="/",
    )
    return TokenOut(access_token=token, expires_in=settings.jwt_ttl_s)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request) -> Response:
    """Clears the cookie. Public: a browser with an expired cookie must still be able to."""
    settings: Settings = request.app.state.settings
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=settings.auth_cookie_secure
    )
    return response
