"""Inviting a person by e-mail, through the e-mail provider at the service's edge."""

from pytest_bdd import then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.phrases import phrase
from harness.stored import user_row
from harness.world import World


@when(phrase("{tenant:Name} invites {person:Name}"))
def invite(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.invite_user(world.tenant(tenant).slug, world.person(person).id)


@then(phrase("{person:Name} is stored in {tenant:Name} as invited"))
def stored_invited(world: World, db_session: Session, person: str, tenant: str) -> None:
    row = user_row(db_session, world.tenant(tenant).id, world.person(person).id)
    assert row is not None and row["invited_at"] is not None, row


@then(phrase("{person:Name} is stored in {tenant:Name} as not invited"))
def stored_not_invited(world: World, db_session: Session, person: str, tenant: str) -> None:
    row = user_row(db_session, world.tenant(tenant).id, world.person(person).id)
    assert row is not None and row["invited_at"] is None, row
