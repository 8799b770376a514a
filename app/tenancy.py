"""Which tenant a request acts for, and who acts: from the headers to a session in its context.

Order of checks, the same on every tenant-scoped route:
1. credentials present (else 401) and, for a token, its signature and expiry (else 401);
2. the `X-Tenant-ID` header well-formed (else 400);
3. a token's tenant equal to the header (else 403), before the tenant is looked up;
4. the tenant exists (else 404 for a token whose tenant is gone; 401 for an API key);
5. the user or API key exists in that tenant (else 401).
So a caller without valid credentials learns nothing about which tenants exist, and
a signed-in caller of Acme cannot probe for other tenants' names either (always 403).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import tokens
from app.auth.credentials import (
    Credentials,
    InvalidCredentials,
    TenantMismatch,
    presented_credentials,
)
from app.auth.principal import Principal, api_key_principal, user_principal
from app.bulkhead import TenantBulkhead
from app.context import SLUG_PATTERN, TenantRef
from app.db import apply_tenant, get_db
from app.errors import AppError
from app.models import Tenant
from app.tenant_schemas import require_current_schema

TENANT_HEADER = "X-Tenant-ID"
# No tenant has this id (identities start at 1): work done "in no tenant" finds nothing.
NO_TENANT_ID = 0


class TenantMissing(AppError):
    status_code = 400
    code = "tenant_missing"


class TenantMalformed(AppError):
    status_code = 400
    code = "tenant_malformed"


class TenantNotFound(AppError):
    status_code = 404
    code = "tenant_not_found"


@dataclass(frozen=True)
class TenantScope:
    """A session already in the tenant's RLS context, the tenant, and who acts for it."""

    session: Session
    tenant: TenantRef
    principal: Principal


def parse_tenant_slug(raw: str | None) -> str:
    if raw is None or raw.strip() == "":
        raise TenantMissing(f"The {TENANT_HEADER} header is required.")
    if not SLUG_PATTERN.fullmatch(raw):
        raise TenantMalformed(
            f"The {TENANT_HEADER} header must be a tenant slug: lower-case letters, "
            "digits and hyphens."  # pragma: no mutate (wording)
        )
    return raw


def find_tenant(session: Session, slug: str) -> TenantRef | None:
    row = session.execute(select(Tenant.id, Tenant.slug).where(Tenant.slug == slug)).first()
    return TenantRef(id=row.id, slug=row.slug) if row else None


def enter_tenant(session: Session, tenant: TenantRef) -> None:
    apply_tenant(session, tenant.id)


TenantHeader = Annotated[
    str | None,
    Header(
        alias=TENANT_HEADER,
        description="Slug of the tenant the request acts for.",
        examples=["acme"],
    ),
]


def tenant_scope(
    request: Request,
    session: Annotated[Session, Depends(get_db)],
    credentials: Annotated[Credentials, Depends(presented_credentials)],
    x_tenant_id: TenantHeader = None,
) -> Iterator[TenantScope]:
    """The authenticated caller's tenant; see the module docstring for the order of checks.

    Held for the whole request: one of the tenant's slots in the bulkhead (app.bulkhead),
    so one tenant's waiting requests cannot hold every database connection.
    """
    credentials.require_one()
    claims = None
    if credentials.token is not None:
        try:
            claims = tokens.decode(request.app.state.settings, credentials.token)
        except tokens.InvalidToken:
            raise InvalidCredentials() from None
    slug = parse_tenant_slug(x_tenant_id)
    if claims is not None and claims.tenant != slug:
        raise TenantMismatch(
            "These credentials do not act for that tenant."  # pragma: no mutate (wording)
        )
    tenant = find_tenant(session, slug)
    bulkhead: TenantBulkhead = request.app.state.tenant_bulkhead
    if tenant is None and claims is None:
        # An API key cannot belong to a tenant that does not exist; it is looked up all the
        # same, in no tenant, so the answer and the work are an unknown key's in a real one.
        tenant = TenantRef(id=NO_TENANT_ID, slug=slug)
    if tenant is None:
        # Not mutated: reached only by a signed token of a tenant that does not exist, which
        # the service never issues.
        raise TenantNotFound(f"No tenant '{slug}'.")  # pragma: no mutate
    # Waiting for a slot hands the connection back first (the session takes one again
    # after), so the wait holds none.
    with bulkhead.slot(tenant.id, before_waiting=session.rollback):
        schemas = request.app.state.settings.tenancy == "schemas"
        yield _enter_as_principal(session, tenant, claims, credentials, schemas)


def _enter_as_principal(
    session: Session,
    tenant: TenantRef,
    claims: tokens.Claims | None,
    credentials: Credentials,
    schemas: bool,
) -> TenantScope:
    enter_tenant(session, tenant)
    if claims is not None:
        # A valid token already proves the caller; a schema not ready is said at once.
        if schemas:
            require_current_schema(session)
        principal = user_principal(session, tenant, claims)
    else:
        assert credentials.api_key is not None
        principal = api_key_principal(session, tenant, credentials.api_key)
        # After the key is checked: a caller without a valid key learns nothing of the
        # tenant, not even that its schema is being upgraded.
        if schemas:
            require_current_schema(session)
    return TenantScope(session=session, tenant=tenant, principal=principal)


# Every tenant-scoped route takes this (or a role check built on it): no tenant without a caller.
CurrentTenant = Annotated[TenantScope, Depends(tenant_scope)]
