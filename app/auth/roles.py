"""Role rules, as route dependencies: who may do what inside their own tenant."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from app.auth.credentials import Forbidden
from app.tenancy import CurrentTenant, TenantScope

ADMIN = "admin"
MEMBER = "member"


RoleCheck = Callable[[TenantScope], Awaitable[TenantScope]]


# Not mutated: runs at import, once per role rule, before mutmut can switch a mutant in;
# the check it hands FastAPI runs per request, and is mutated.
def require_role(*allowed: str) -> RoleCheck:  # pragma: no mutate block
    # async: a comparison, so no worker thread hop (FastAPI sends sync dependencies to one).
    async def check(scope: CurrentTenant) -> TenantScope:
        return checked_role(scope, allowed)

    return check


def checked_role(scope: TenantScope, allowed: tuple[str, ...]) -> TenantScope:
    if scope.principal.role not in allowed:
        raise Forbidden(f"This needs the role: {' or '.join(allowed)}.")
    return scope


# Any signed-in caller of the tenant: reads users, works with counters.
MemberScope = Annotated[TenantScope, Depends(require_role(ADMIN, MEMBER))]
# Manages users and API keys.
AdminScope = Annotated[TenantScope, Depends(require_role(ADMIN))]
