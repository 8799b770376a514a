"""Tenants, and what one tenant may (not) do to another's data."""

import json

from pytest_bdd import given, parsers, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.factories import TenantFactory
from harness.stored import tenant_state
from harness.world import World

# A well-formed body for each endpoint that takes one, so the request reaches the tenant check.
SAMPLE_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/users"): {"name": "Mallory", "email": "mallory@globex.example"},
    ("PATCH", "/users/{id}"): {"name": "Mallory"},
    # The victim's counter name: Globex must get a counter of its own, not touch Acme's.
    ("POST", "/counters/increments"): {"names": ["visits"]},
}


@given(parsers.parse("the tenant {name:w}"))
def a_tenant(world: World, name: str) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name)


@given(parsers.parse("the tenant {name:w} with {seats:d} seats"))
def a_tenant_with_seats(world: World, name: str, seats: int) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name, seat_limit=seats)


@when(parsers.parse("{intruder} calls {method} {path} aimed at {victim}'s data"))
def call_endpoint_at_victim(
    world: World,
    api: ServiceApi,
    db_session: Session,
    intruder: str,
    method: str,
    path: str,
    victim: str,
) -> None:
    target = world.tenant(victim)
    world.snapshots[victim] = tenant_state(db_session, target.id)
    person = next(p for p in world.people.values() if p.tenant_id == target.id)
    counter = next(iter(world.snapshots[victim]["counters"]))
    url = path.replace("{id}", str(person.id)).replace("{name}", counter)
    world.response = api.call(
        method, url, tenant=world.tenant(intruder).slug, json=SAMPLE_BODIES.get((method, path))
    )


@then(parsers.parse("the answer shows nothing of {victim}'s"))
def answer_shows_nothing_of(world: World, victim: str) -> None:
    body = world.last.text
    state = world.snapshots[victim]
    for user in state["users"]:
        assert user["email"] not in body, f"{victim}'s user {user['email']} leaked: {body}"
        assert user["name"] not in body, f"{victim}'s user {user['name']} leaked: {body}"
    if body:
        ids = _ids_in(json.loads(body))
        leaked = ids & {user["id"] for user in state["users"]}
        assert not leaked, f"{victim}'s user ids {leaked} leaked: {body}"


@then(parsers.parse("{victim}'s users and counters are unchanged"))
def tenant_unchanged(world: World, db_session: Session, victim: str) -> None:
    now = tenant_state(db_session, world.tenant(victim).id)
    assert now == world.snapshots[victim]


def _ids_in(value: object) -> set[int]:
    if isinstance(value, dict):
        found = {value["id"]} if isinstance(value.get("id"), int) else set()
        return found.union(*(_ids_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_ids_in(v) for v in value))
    return set()
