"""A tenant's users: seeding, the directory operations (well-formed or not), what is stored."""

import json
from typing import Any

from fastapi import FastAPI
from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.bodies import new_user_body
from harness.factories import UserFactory
from harness.paging import read_pages
from harness.people import VALID_NEW_USER
from harness.phrases import phrase
from harness.stored import user_row, users_of
from harness.world import World, reads_stored_before

# Larger than any id the database will hand out in a test run, still a valid id.
UNKNOWN_USER_ID = 2**62
NEW_USER = {"name": "Carol", "email": "carol@example.com"}


# --- Given ------------------------------------------------------------------------------


@given(phrase('{tenant:Name} has a user with the email "{email:Text}"'))
def tenant_has_email(world: World, tenant: str, email: str) -> None:
    UserFactory(tenant_id=world.tenant(tenant).id, email=email)


@given(phrase("{tenant:Name} has {count:d} users"))
def tenant_has_users(world: World, tenant: str, count: int) -> None:
    UserFactory.create_batch(count, tenant_id=world.tenant(tenant).id)


# --- When: the directory ----------------------------------------------------------------


@when(phrase("{tenant:Name} lists its users"))
def list_users(world: World, api: ServiceApi, tenant: str) -> None:
    world.response = api.list_users(world.tenant(tenant).slug)


@when(phrase("{caller:Caller} lists the users of {tenant:Name}"))
def caller_lists_users(world: World, api: ServiceApi, caller: str, tenant: str) -> None:
    world.response = api.list_users(
        world.tenant(tenant).slug, credentials=world.credentials(caller)
    )


@when(phrase("{caller:Caller} adds Carol to {tenant:Name}"))
def caller_adds_carol(world: World, api: ServiceApi, caller: str, tenant: str) -> None:
    world.response = api.create_user(
        world.tenant(tenant).slug, NEW_USER, credentials=world.credentials(caller)
    )


@when(phrase("{tenant:Name} pages through its users {size:d} at a time"))
def page_through(world: World, api: ServiceApi, tenant: str, size: int) -> None:
    slug = world.tenant(tenant).slug
    world.pages = read_pages(
        lambda limit, offset: api.list_users(slug, limit=limit, offset=offset), size
    )


@when(phrase('{tenant:Name} adds {person:Name} with the email "{email:Text}"'))
def add_person(world: World, api: ServiceApi, tenant: str, person: str, email: str) -> None:
    world.response = api.create_user(world.tenant(tenant).slug, {"name": person, "email": email})


@when(phrase("{tenant:Name} reads {person:Name}'s details"))
def read_details(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.read_user(world.tenant(tenant).slug, world.person(person).id)


@when(phrase("{tenant:Name} reads a user that does not exist"))
def read_missing(world: World, api: ServiceApi, tenant: str) -> None:
    world.response = api.read_user(world.tenant(tenant).slug, UNKNOWN_USER_ID)


@when(phrase('{tenant:Name} renames {person:Name} to "{name:Text}"'))
def rename(world: World, api: ServiceApi, tenant: str, person: str, name: str) -> None:
    world.response = api.update_user(
        world.tenant(tenant).slug, world.person(person).id, {"name": name}
    )


@when(phrase('{tenant:Name} changes {person:Name}\'s email to "{email:Text}"'))
def change_email(world: World, api: ServiceApi, tenant: str, person: str, email: str) -> None:
    world.response = api.update_user(
        world.tenant(tenant).slug, world.person(person).id, {"email": email}
    )


@when(phrase("{tenant:Name} removes {person:Name}"))
def remove(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.delete_user(world.tenant(tenant).slug, world.person(person).id)


@when(phrase("{tenant:Name} tries to {action:Words} {person:Name} by her id"))
def act_on_person_by_id(
    world: World, api: ServiceApi, tenant: str, action: str, person: str
) -> None:
    target, slug = world.person(person), world.tenant(tenant).slug
    calls = {
        "read": lambda: api.read_user(slug, target.id),
        "rename": lambda: api.update_user(slug, target.id, {"name": "Renamed"}),
        "remove": lambda: api.delete_user(slug, target.id),
    }
    world.response = calls[action]()


# --- When: what the service must refuse ---------------------------------------------------


@when(phrase("{tenant:Name} adds a user whose {field:Words} is {value:Value}"))
def add_user_with(world: World, api: ServiceApi, tenant: str, field: str, value: str) -> None:
    body: dict[str, Any] = dict(VALID_NEW_USER)
    if value == "missing":
        body.pop(field)
    else:
        body[field] = json.loads(value)  # the Examples give JSON literals: "text", 42
    world.response = api.create_user(world.tenant(tenant).slug, body)


@when(phrase("{tenant:Name} sends {person:Name} an empty change"))
def empty_change(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.update_user(world.tenant(tenant).slug, world.person(person).id, {})


@when(
    phrase("{tenant:Name} sends a change to {person:Name} with {field:Words} set to {value:Value}")
)
def send_change(
    world: World, api: ServiceApi, tenant: str, person: str, field: str, value: str
) -> None:
    world.response = api.update_user(
        world.tenant(tenant).slug, world.person(person).id, {field: json.loads(value)}
    )


@when(phrase("{tenant:Name} sends a new user as {form:Value}"))
def send_new_user_as(world: World, api: ServiceApi, app: FastAPI, tenant: str, form: str) -> None:
    body, content_type = new_user_body(form, app.state.settings.max_body_bytes)
    world.response = api.create_user_from_bytes(world.tenant(tenant).slug, body, content_type)


@when(phrase("{tenant:Name} removes the user with the id {raw_id:Value}"))
def remove_by_raw_id(world: World, api: ServiceApi, tenant: str, raw_id: str) -> None:
    world.response = api.delete_user_at(world.tenant(tenant).slug, raw_id)


# --- Then -------------------------------------------------------------------------------


@then(phrase("the list shows exactly {names:Names}"))
def list_shows_exactly(world: World, names: list[str]) -> None:
    answer = world.last
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert sorted(item["name"] for item in page["items"]) == sorted(names)
    assert page["total"] == len(names)


@then("the list is empty")
def list_is_empty(world: World) -> None:
    answer = world.last
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert (page["items"], page["total"]) == ([], 0), page


@then("the answer reveals none of the users")
def reveals_no_users(world: World) -> None:
    body = world.last.json()
    assert "items" not in body
    for person in world.people.values():
        assert person.email not in world.last.text


@then(phrase("the details show {person:Name} with her email"))
def details_show(world: World, person: str) -> None:
    target = world.person(person)
    body = world.last.json()
    assert (body["id"], body["name"], body["email"]) == (target.id, target.name, target.email)


@then(
    phrase('{person:Name} is stored in {tenant:Name} with the email "{email:Text}" as {role:ARole}')
)
def stored_with_email(
    world: World, db_session: Session, person: str, tenant: str, email: str, role: str
) -> None:
    rows = [u for u in users_of(db_session, world.tenant(tenant).id) if u["name"] == person]
    assert [(u["email"], u["role"]) for u in rows] == [(email, role)]
    assert world.last.json()["id"] == rows[0]["id"]


@then(phrase('{person:Name} is stored in {tenant:Name} with the name "{name:Text}"'))
def stored_with_name(
    world: World, db_session: Session, person: str, tenant: str, name: str
) -> None:
    row = user_row(db_session, world.tenant(tenant).id, world.person(person).id)
    assert row is not None and row["name"] == name, row


@then(phrase("{person:Name} is stored in {tenant:Name} unchanged"))
@reads_stored_before
def stored_unchanged(world: World, db_session: Session, person: str, tenant: str) -> None:
    target = world.person(person)
    before = world.stored_before.person(target)
    assert before is not None, f"{person} was not stored before"
    assert user_row(db_session, world.tenant(tenant).id, target.id) == before


@then(phrase("{person:Name} is no longer stored in {tenant:Name}"))
def no_longer_stored(world: World, db_session: Session, person: str, tenant: str) -> None:
    assert user_row(db_session, world.tenant(tenant).id, world.person(person).id) is None


@then(phrase('{tenant:Name} has a user with the email "{email:Text}" stored'))
@then(phrase('{tenant:Name} still has a user with the email "{email:Text}" stored'))
def has_email_stored(world: World, db_session: Session, tenant: str, email: str) -> None:
    emails = [u["email"] for u in users_of(db_session, world.tenant(tenant).id)]
    assert emails.count(email) == 1, emails


@then(phrase("{tenant:Name} has exactly {count:d} user{s:S} stored"))
def has_count_stored(world: World, db_session: Session, tenant: str, count: int, s: str) -> None:
    assert len(users_of(db_session, world.tenant(tenant).id)) == count


@then(phrase("{tenant:Name} has no users stored"))
def has_no_users(world: World, db_session: Session, tenant: str) -> None:
    assert users_of(db_session, world.tenant(tenant).id) == []
