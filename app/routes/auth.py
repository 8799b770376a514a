"""Sign-in and sign-out. Public routes: they name a tenant but need no principal.

A sign-in is three steps, and only the first and the last touch the database, each in
a short transaction: the password check (Argon2, deliberately slow) holds no
connection and no lock, so a flood of sign-ins cannot take the pool from other
requests. The attempt is counted as a failure before the check and forgiven after a
success, which keeps the throttle exact without a lock held across the check.

Whether or not the tenant exists, the first step runs the same statements and the
answers come in the same order: nothing tells a caller which tenants exist.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request, Response, status
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.auth import throttle, tokens
from app.auth.credentials import COOKIE_NAME, REALM, InvalidCredentials
from app.auth.passwords import HashCost, hash_password, needs_rehash, verify_password
from app.auth.sign_in_load import SignInLoad
from app.db import apply_tenant, get_db
from app.json_body import StrictJsonRoute
from app.models import User
from app.schemas import LoginIn, TokenOut
from app.settings import Settings
from app.tenancy import (
    NO_TENANT_ID,
    TenantHeader,
    enter_tenant,
    find_tenant,
    parse_tenant_slug,
)
from app.tenant_schemas import require_current_schema

router = APIRouter(prefix="/auth", tags=["auth"], route_class=StrictJsonRoute)

# The tenant id an unknown tenant's sign-in looks its user up in: no tenant has it
# (ids start at 1), so the lookup finds nobody, with the same statement as a real one.


class WrongPassword(InvalidCredentials):
    """Wrong password, unknown email or unknown tenant: one answer for all three."""

    def __init__(self) -> None:
        # Not mutated: the message's wording and the header name's letter case (see
        # InvalidCredentials); the scenarios pin the code, status and challenge.
        super().__init__("The email or the password is wrong.")  # pragma: no mutate
        self.headers = {
            "WWW-Authenticate": REALM,  # pragma: no mutate (no token was involved)
        }


# A sign-in as the document shows it: Alice, an admin of Acme (the schema fuzz seeds her).
SIGN_IN_EXAMPLE = {"email": "alice@acme.example", "password": "correct horse battery staple"}


@dataclass(frozen=True)
class Attempt:
    """What the first step learned: the account, and the user if there is one."""

    account: str
    tenant_id: int
    tenant_slug: str
    user_id: int | None
    role: str | None
    password_hash: str | None


@router.post("/login", response_model=TokenOut, responses={401: {}, 429: {}, 503: {}})
async def login(
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
    load: SignInLoad = request.app.state.sign_in_load
    slug = parse_tenant_slug(x_tenant_id)  # 400 on syntax only: says nothing about existence
    load.per_client.hit(request.client.host if request.client else "unknown")
    cost = HashCost.from_settings(settings)
    async with load.password_checks.slot():
        attempt = await run_in_threadpool(_count_attempt, session, settings, slug, body.email)
        verified = await run_in_threadpool(
            verify_password, attempt.password_hash, body.password, cost
        )
        if not verified:
            raise WrongPassword()
        if settings.tenancy == "schemas":
            # Only once the password is right: a wrong one is answered alike either way.
            require_current_schema(session)
        new_hash = None
        if attempt.password_hash is not None and needs_rehash(attempt.password_hash, cost):
            # Made at another cost than today's: checking it would take another time than
            # the dummy check of an unknown email. Made again while we have the password.
            new_hash = await run_in_threadpool(hash_password, body.password, cost)
    await run_in_threadpool(_forgive, session, attempt, new_hash)
    assert attempt.user_id is not None and attempt.role is not None
    token = tokens.issue(
        settings, user_id=attempt.user_id, tenant=attempt.tenant_slug, role=attempt.role
    )
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.jwt_ttl_s,
        httponly=True,  # out of reach of page scripts (XSS)
        samesite="strict",  # not sent on cross-site requests (CSRF)
        secure=True,  # required by the __Host- prefix; browsers treat localhost as secure
        path="/",  # required by the __Host- prefix, and no Domain
    )
    return TokenOut(access_token=token, expires_in=settings.jwt_ttl_s)


def _count_attempt(session: Session, settings: Settings, slug: str, email: str) -> Attempt:
    """Step 1, one short transaction: throttle, count this attempt as failed, find the user."""
    account = throttle.account_key(slug, email)
    tenant = find_tenant(session, slug)
    if tenant is not None:
        enter_tenant(session, tenant)
    else:
        apply_tenant(session, NO_TENANT_ID)
    try:
        throttle.check(session, settings, account)
    except throttle.TooManyAttempts:
        session.commit()  # keeps the sweep of expired failures; nothing else was written
        raise
    throttle.record_failure(session, account)
    tenant_id = tenant.id if tenant is not None else NO_TENANT_ID
    user = session.execute(
        select(User.id, User.role, User.password_hash).where(
            User.tenant_id == tenant_id, User.email == email
        )
    ).first()
    session.commit()  # returns the connection to the pool before the password check
    return Attempt(
        account=account,
        tenant_id=tenant_id,
        tenant_slug=slug,
        user_id=user.id if user else None,
        role=user.role if user else None,
        password_hash=user.password_hash if user else None,
    )


def _forgive(session: Session, attempt: Attempt, new_hash: str | None) -> None:
    """Step 3, one short transaction: the account's failures go, a stale hash is replaced."""
    throttle.clear(session, attempt.account)
    if new_hash is not None:
        # Only if unchanged since step 1: a password changed meanwhile wins.
        session.execute(
            update(User)
            .where(
                User.tenant_id == attempt.tenant_id,
                User.id == attempt.user_id,
                User.password_hash == attempt.password_hash,
            )
            .values(password_hash=new_hash)
        )
    session.commit()


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout() -> Response:
    """Clears the cookie. Public: a browser with an expired cookie must still be able to."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=True)
    return response
