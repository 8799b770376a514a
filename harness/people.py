"""People and their details as the scenarios name them: one place for e-mails and bodies."""

from typing import Any

from app.models import User
from app.settings import Settings
from harness.auth import bearer, token_for
from harness.factories import UserFactory
from harness.world import World

# A well-formed new user, for requests whose point is something else (a header, a role).
VALID_NEW_USER: dict[str, Any] = {
    "name": "Robin Doe",
    "email": "robin@acme.example",
    "role": "member",
}


def email_of(person: str, tenant: str) -> str:
    """The e-mail address a scenario's person has in a tenant: alice@acme.example."""
    return f"{person.lower()}@{tenant.lower()}.example"


def new_user(person: str, tenant: str, **changes: Any) -> dict[str, Any]:
    """The body that adds `person` to `tenant` (as a member, unless `changes` say otherwise)."""
    return {"name": person, "email": email_of(person, tenant), **changes}


def numbered_person(tenant_slug: str, number: int) -> dict[str, Any]:
    """One of many generated people, for requests sent in bulk."""
    return {"name": f"Person {number}", "email": f"person.{number}@{tenant_slug}.example"}


def listed(text: str) -> list[str]:
    """ "visits, orders" -> ["visits", "orders"]: a list as a step text gives it."""
    return [item.strip() for item in text.split(",")]


def add_person(
    world: World, person: str, role: str, tenant: str, *, password: str | None = None
) -> User:
    """Seed `person` as a user of `tenant` with their usual e-mail, and name them in the world."""
    user: User = UserFactory(
        tenant_id=world.tenant(tenant).id,
        name=person,
        email=email_of(person, tenant),
        role=role,
        password=password,
    )
    world.people[person] = user
    if password is not None:
        world.passwords[person] = password
    return user


def sign_in(world: World, settings: Settings, person: str) -> None:
    """`person` holds a valid token, minted with the service's own code (no request, no hash)."""
    token = token_for(settings, world.person(person), world.tenant_of(person).slug)
    world.signed_in[person] = bearer(token)
