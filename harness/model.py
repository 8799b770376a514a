"""A small reference model of the service: what two tenants should have stored, and who may act.

The exploration (harness.exploration) sends generated requests to the real service and,
for each one, asks this model what the answer must be; when the service says yes, the
model applies the same change. Afterwards what is stored must equal the model.
"""

from dataclasses import dataclass, field
from typing import Literal

from harness.feature_tables import may

# "session": a person's own sign-in (harness.exploration holds its token or cookie); it is
# judged as "token" while it holds one and as "nobody" before or after.
CallerKind = Literal["api key", "token", "expired token", "nobody", "session"]


@dataclass
class PersonModel:
    id: int
    name: str
    email: str
    role: str
    invited: bool = False


@dataclass(frozen=True)
class KeyedAdd:
    """What an add under an Idempotency-Key was first answered: every repeat gets the same."""

    body: tuple[tuple[str, str], ...]
    status: int
    text: str


@dataclass
class KeyModel:
    id: int
    name: str
    role: str
    revoked: bool = False


@dataclass
class TenantModel:
    name: str  # as the scenarios say it: Acme
    id: int
    slug: str
    seat_limit: int
    people: dict[int, PersonModel] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    keys: dict[int, KeyModel] = field(default_factory=dict)
    # Idempotency-Keys whose add was done (201): a refused add stores no key.
    added_under: dict[str, KeyedAdd] = field(default_factory=dict)

    def email_taken(self, email: str) -> bool:
        return any(person.email == email for person in self.people.values())

    def seats_free(self) -> bool:
        return len(self.people) < self.seat_limit


@dataclass(frozen=True)
class Caller:
    """Who sends a request: a key or a person's token of one tenant, or nobody."""

    label: str  # "Acme's member key", in the failure story
    tenant: TenantModel | None
    kind: CallerKind
    record_id: int = 0  # the API key's or the person's id
    headers: tuple[tuple[str, str], ...] = ()

    def role(self) -> str | None:
        """The role the service must see now (from the database), or None if not valid."""
        if self.tenant is None or self.kind in ("expired token", "nobody"):
            return None
        if self.kind == "api key":
            key = self.tenant.keys.get(self.record_id)
            return key.role if key is not None and not key.revoked else None
        person = self.tenant.people.get(self.record_id)
        return person.role if person is not None else None


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str


def refusal_for(caller: Caller, target: TenantModel, action: str) -> Refusal | None:
    """How the service must refuse `caller` doing `action` in `target`, or None if it may.

    The order of checks is the service's documented one: credentials, then the tenant
    they act for, then the role (the authorization feature's table).
    """
    if caller.kind == "nobody":
        return Refusal(401, "unauthenticated")
    role = caller.role()
    if caller.kind == "expired token" or (caller.kind == "token" and role is None):
        return Refusal(401, "invalid_credentials")
    if caller.tenant is not target:
        if caller.kind == "token":
            return Refusal(403, "tenant_mismatch")
        return Refusal(401, "invalid_credentials")  # a key is looked up in the named tenant only
    if role is None:
        return Refusal(401, "invalid_credentials")
    if not may(role, action):
        return Refusal(403, "forbidden")
    return None
