"""Which tenant a request acts for: from the `X-Tenant-ID` header to a session in its context."""

import re
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import TenantRef, current_context
from app.db import apply_tenant, get_db
from app.errors import AppError
from app.models import Tenant

TENANT_HEADER = "X-Tenant-ID"
# Lower-case slug: letters, digits, inner hyphens; what tenants are created with.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


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
    """A session already in the tenant's RLS context, and the tenant it acts for."""

    session: Session
    tenant: TenantRef


def parse_tenant_slug(raw: str | None) -> str:
    if raw is None or raw.strip() == "":
        raise TenantMissing(f"The {TENANT_HEADER} header is required.")
    if not SLUG_PATTERN.fullmatch(raw):
        raise TenantMalformed(
            f"The {TENANT_HEADER} header must be a tenant slug: lower-case letters, "
            "digits and hyphens."
        )
    return raw


def tenant_scope(
    session: Annotated[Session, Depends(get_db)],
    x_tenant_id: Annotated[
        str | None,
        Header(
            alias=TENANT_HEADER,
            description="Slug of the tenant the request acts for.",
            examples=["acme"],
        ),
    ] = None,
) -> TenantScope:
    slug = parse_tenant_slug(x_tenant_id)
    row = session.execute(select(Tenant.id, Tenant.slug).where(Tenant.slug == slug)).first()
    if row is None:
        raise TenantNotFound(f"No tenant '{slug}'.")
    tenant = TenantRef(id=row.id, slug=row.slug)
    ctx = current_context()
    if ctx is not None:
        ctx.tenant = tenant
    apply_tenant(session, tenant.id)
    return TenantScope(session=session, tenant=tenant)


CurrentTenant = Annotated[TenantScope, Depends(tenant_scope)]
