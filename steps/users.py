"""A tenant's users: seeding, the directory operations, and what is stored."""

import json
from typing import Any

from pytest_bdd import given, parsers, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.factories import UserFactory
from harness.stored import users_of
from harness.world import World

# Larger than any id the database will hand out in a test run, still a valid id.
UNKNOWN_USER_ID = 2**62
VALID_NEW_USER = {"name": "Robin Doe", "email": "robin@acme.example", "role": "member"}


def _stored(db_session: Session, world: World, tenant: str) -> list[dict[str, Any]]:
    return users_of(db_session, world.tenant(tenant).id)


# --- Given ------------------------------------------------------------------------------


@given(parsers.re(r"(?P<person>\w+) is an? (?P<role>admin|member) of (?P<tenant>\w+)"))
def person_of_tenant(world: World, person: str, role: str, tenant: str) -> None:
    world.people[person] = UserFactory(
        tenant_id=world.tenant(tenant).id,
        name=person,
        email=f"{person.lower()}@{tenant.lower()}.example",
        role=role,
    )


@given(parsers.parse('{tenant} has a user with the email "{email}"'))
def tenant_has_email(world: World, tenant: str, email: str) -> None:
    UserFactory(tenant_id=world.tenant(tenant).id, email=email)


@given(parsers.parse("{tenant} has {count:d} users"))
def tenant_has_users(world: World, tenant: str, count: int) -> None:
    UserFactory.create_batch(count, tenant_id=world.tenant(tenant).id)


@given(parsers.parse('{tenant} added {person} under the idempotency key "{key}"'))
def added_under_key(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    # An earlier request is the precondition here: the key and its answer are the service's.
    first = api.create_user_once(world.tenant(tenant).slug, _same_person(person), key)
    assert first.status_code == 201, first.text
    world.snapshots["first answer"] = first


# --- When -------------------------------------------------------------------------------


@when(parsers.parse("{tenant} lists its users"))
def list_users(world: World, api: ServiceApi, tenant: str) -> None:
    world.response = api.list_users(world.tenant(tenant).slug)


@when(parsers.parse("{person} lists users naming the tenant {header}"))
def list_users_naming(world: World, api: ServiceApi, person: str, header: str) -> None:
    tenant = None if header == "nothing" else json.loads(header)
    world.response = api.list_users(tenant, credentials=world.credentials(person))


@when(parsers.parse("{tenant} pages through its users {size:d} at a time"))
def page_through(world: World, api: ServiceApi, tenant: str, size: int) -> None:
    pages: list[list[dict[str, Any]]] = []
    offset = 0
    while len(pages) < 50:  # bounded, whatever the service answers
        answer = api.list_users(world.tenant(tenant).slug, limit=size, offset=offset)
        assert answer.status_code == 200, answer.text
        items = answer.json()["items"]
        if not items:
            break
        pages.append(items)
        offset += len(items)
    world.snapshots["pages"] = pages


@when(parsers.parse('{tenant} adds {person} with the email "{email}"'))
def add_person(world: World, api: ServiceApi, tenant: str, person: str, email: str) -> None:
    world.response = api.create_user(world.tenant(tenant).slug, {"name": person, "email": email})
    if world.response.status_code == 201:
        world.snapshots[f"created:{person}"] = world.response.json()


@when(parsers.parse('{tenant} adds {person} under the idempotency key "{key}"'))
def add_under_key(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    world.response = api.create_user_once(world.tenant(tenant).slug, _same_person(person), key)


def _same_person(person: str) -> dict[str, str]:
    # The same details whichever tenant adds them: only the key's scope can tell them apart.
    return {"name": person, "email": f"{person.lower()}@example.com"}


@when(parsers.parse("{tenant} adds a user whose {field} is {value}"))
def add_user_with(world: World, api: ServiceApi, tenant: str, field: str, value: str) -> None:
    body: dict[str, Any] = dict(VALID_NEW_USER)
    if value == "missing":
        body.pop(field)
    else:
        body[field] = json.loads(value)  # the Examples give JSON literals: "text", 42
    world.response = api.create_user(world.tenant(tenant).slug, body)


@when(
    parsers.re(
        r"(?P<tenant>\w+) tries to (?P<action>read|rename|remove) (?P<person>\w+) by (her|his) id"
    )
)
def act_on_person_by_id(
    world: World, api: ServiceApi, db_session: Session, tenant: str, action: str, person: str
) -> None:
    target = world.person(person)
    world.snapshots[person] = _row_of(db_session, target.tenant_id, target.id)
    slug = world.tenant(tenant).slug
    if action == "read":
        world.response = api.read_user(slug, target.id)
    elif action == "rename":
        world.response = api.update_user(slug, target.id, {"name": "Renamed"})
    else:
        world.response = api.delete_user(slug, target.id)


@when(parsers.parse("{tenant} reads {person}'s details"))
def read_details(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.read_user(world.tenant(tenant).slug, world.person(person).id)


@when(parsers.parse("{tenant} reads a user that does not exist"))
def read_missing(world: World, api: ServiceApi, tenant: str) -> None:
    world.response = api.read_user(world.tenant(tenant).slug, UNKNOWN_USER_ID)


@when(parsers.parse('{tenant} renames {person} to "{name}"'))
def rename(world: World, api: ServiceApi, tenant: str, person: str, name: str) -> None:
    world.response = api.update_user(
        world.tenant(tenant).slug, world.person(person).id, {"name": name}
    )


@when(parsers.parse('{tenant} changes {person}\'s email to "{email}"'))
def change_email(
    world: World, api: ServiceApi, db_session: Session, tenant: str, person: str, email: str
) -> None:
    _patch_person(world, api, db_session, tenant, person, {"email": email})


@when(parsers.parse("{tenant} sends {person} an empty change"))
def empty_change(
    world: World, api: ServiceApi, db_session: Session, tenant: str, person: str
) -> None:
    _patch_person(world, api, db_session, tenant, person, {})


@when(parsers.parse("{tenant} removes {person}"))
def remove(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.delete_user(world.tenant(tenant).slug, world.person(person).id)


def _patch_person(
    world: World, api: ServiceApi, db_session: Session, tenant: str, person: str, body: dict
) -> None:
    target = world.person(person)
    world.snapshots[person] = _row_of(db_session, target.tenant_id, target.id)
    world.response = api.update_user(world.tenant(tenant).slug, target.id, body)


def _row_of(db_session: Session, tenant_id: int, user_id: int) -> dict[str, Any] | None:
    return next((u for u in users_of(db_session, tenant_id) if u["id"] == user_id), None)


# --- Then -------------------------------------------------------------------------------


@then("the answer is the same as the first time")
def same_as_first(world: World) -> None:
    first = world.snapshots["first answer"]
    assert (world.last.status_code, world.last.json()) == (first.status_code, first.json())
    assert world.last.headers["Location"] == first.headers["Location"]


@then(parsers.parse("the list shows exactly {names}"))
def list_shows_exactly(world: World, names: str) -> None:
    expected = sorted(n.strip() for n in names.replace(" and ", ",").split(","))
    answer = world.last
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert sorted(item["name"] for item in page["items"]) == expected
    assert page["total"] == len(expected)


@then(parsers.parse("the answer reveals none of the users"))
def reveals_no_users(world: World) -> None:
    body = world.last.json()
    assert "items" not in body
    for person in world.people.values():
        assert person.email not in world.last.text


@then(parsers.parse("the pages hold {sizes} users"))
def pages_hold(world: World, sizes: str) -> None:
    expected = [int(s) for s in sizes.replace(" and ", ",").split(",")]
    assert [len(page) for page in world.snapshots["pages"]] == expected


@then("every user appears exactly once, oldest first")
def each_user_once_in_order(world: World) -> None:
    ids = [item["id"] for page in world.snapshots["pages"] for item in page]
    assert ids == sorted(set(ids)), f"ids out of order or repeated: {ids}"


@then(parsers.parse("the details show {person} with {pronoun} email"))
def details_show(world: World, person: str, pronoun: str) -> None:
    target = world.person(person)
    body = world.last.json()
    assert (body["id"], body["name"], body["email"]) == (target.id, target.name, target.email)


@then(
    parsers.re(
        r'(?P<person>\w+) is stored in (?P<tenant>\w+) with the email "(?P<email>[^"]+)" '
        r"as an? (?P<role>admin|member)"
    )
)
def stored_with_email(
    world: World, db_session: Session, person: str, tenant: str, email: str, role: str
) -> None:
    rows = [u for u in _stored(db_session, world, tenant) if u["name"] == person]
    assert [(u["email"], u["role"]) for u in rows] == [(email, role)]
    assert world.last.json()["id"] == rows[0]["id"]


@then(parsers.parse('{person} is stored in {tenant} with the name "{name}"'))
def stored_with_name(
    world: World, db_session: Session, person: str, tenant: str, name: str
) -> None:
    target = world.person(person)
    row = _row_of(db_session, world.tenant(tenant).id, target.id)
    assert row is not None and row["name"] == name, row


@then(parsers.parse("{person} is stored in {tenant} unchanged"))
def stored_unchanged(world: World, db_session: Session, person: str, tenant: str) -> None:
    target = world.person(person)
    before = world.snapshots[person]
    assert before is not None
    assert _row_of(db_session, world.tenant(tenant).id, target.id) == before


@then(parsers.parse("{person} is no longer stored in {tenant}"))
def no_longer_stored(world: World, db_session: Session, person: str, tenant: str) -> None:
    assert _row_of(db_session, world.tenant(tenant).id, world.person(person).id) is None


@then(
    parsers.re(r"(?P<tenant>\w+) (still )?has a user with the email \"(?P<email>[^\"]+)\" stored")
)
def has_email_stored(world: World, db_session: Session, tenant: str, email: str) -> None:
    emails = [u["email"] for u in _stored(db_session, world, tenant)]
    assert emails.count(email) == 1, emails


@then(parsers.parse("{tenant} has exactly {count:d} user stored"))
@then(parsers.parse("{tenant} has exactly {count:d} users stored"))
def has_count_stored(world: World, db_session: Session, tenant: str, count: int) -> None:
    assert len(_stored(db_session, world, tenant)) == count


@then(parsers.parse("{tenant} has no users stored"))
def has_no_users(world: World, db_session: Session, tenant: str) -> None:
    assert _stored(db_session, world, tenant) == []
