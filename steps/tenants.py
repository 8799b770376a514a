"""Tenants, and what one tenant may (not) do to another's data."""

import json

from pytest_bdd import given, parsers, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi, ids_in
from harness.factories import ApiKeyFactory, CounterFactory, TenantFactory, UserFactory
from harness.stored import tenant_state
from harness.world import World

# A well-formed body for each endpoint that takes one, so the request reaches the tenant check.
SAMPLE_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/users"): {"name": "Mallory", "email": "mallory@globex.example"},
    ("PATCH", "/users/{id}"): {"name": "Mallory"},
    ("POST", "/api-keys"): {"name": "mallory", "role": "admin"},
    # The victim's counter name: Globex must get a counter of its own, not touch Acme's.
    ("POST", "/counters/increments"): {"names": ["visits"]},
}


@given(parsers.parse("the tenant {name:w}"))
def a_tenant(world: World, name: str) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name)


@given(parsers.parse("{tenant} holds one record of every kind"))
def one_of_every_kind(world: World, tenant: str) -> None:
    tenant_id = world.tenant(tenant).id
    UserFactory(tenant_id=tenant_id, name="Alice", email=f"alice@{tenant.lower()}.example")
    CounterFactory(tenant_id=tenant_id, name="visits", value=3)
    ApiKeyFactory(tenant_id=tenant_id, name="ci", role="admin")


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
    """The intruder is a signed-in person of another tenant, acting with their own credentials."""
    target = world.tenant(victim)
    state = tenant_state(db_session, target.id)
    world.snapshots[victim] = state
    world.snapshots["records at stake"] = "api_keys" if path.startswith("/api-keys") else "users"
    ids = {"/users/": state["users"][0]["id"], "/api-keys/": state["api_keys"][0]["id"]}
    url = path.replace("{name}", next(iter(state["counters"])))
    for prefix, record_id in ids.items():
        if path.startswith(prefix):
            url = url.replace("{id}", str(record_id))
    person = world.person(intruder)
    own = next(t for t in world.tenants.values() if t.id == person.tenant_id)
    world.response = api.call(
        method,
        url,
        tenant=own.slug,
        json=SAMPLE_BODIES.get((method, path)),
        credentials=world.credentials(intruder),
    )


@then(parsers.parse("the answer shows nothing of {victim}'s"))
def answer_shows_nothing_of(world: World, victim: str) -> None:
    body = world.last.text
    state = world.snapshots[victim]
    for user in state["users"]:
        assert user["email"] not in body, f"{victim}'s user {user['email']} leaked: {body}"
        assert user["name"] not in body, f"{victim}'s user {user['name']} leaked: {body}"
    for key in state["api_keys"]:
        assert key["prefix"] not in body, f"{victim}'s API key {key['prefix']} leaked: {body}"
    if body:
        ids = ids_in(json.loads(body))
        # Ids are per table: compare with the kind of record the endpoint deals in.
        kind = world.snapshots.get("records at stake", "users")
        leaked = ids & {record["id"] for record in state[kind]}
        assert not leaked, f"{victim}'s ids {leaked} leaked: {body}"


@then(parsers.parse("{victim}'s users and counters are unchanged"))
@then(parsers.parse("{victim}'s stored data is unchanged"))
def tenant_unchanged(world: World, db_session: Session, victim: str) -> None:
    now = tenant_state(db_session, world.tenant(victim).id)
    assert now == world.snapshots[victim]
