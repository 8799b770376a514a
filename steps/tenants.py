"""Tenants, and what one tenant may (not) do to another's data."""

import json

from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi, ids_in
from harness.factories import ApiKeyFactory, CounterFactory, TenantFactory, UserFactory
from harness.limits import set_room
from harness.people import VALID_NEW_USER, email_of
from harness.phrases import phrase
from harness.stored import tenant_state
from harness.world import AppTweaks, World, reads_stored_before

# A well-formed body for each endpoint that takes one, so the request reaches the tenant check.
SAMPLE_BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/users"): {"name": "Mallory", "email": "mallory@globex.example"},
    ("PATCH", "/users/{id}"): {"name": "Mallory"},
    ("POST", "/api-keys"): {"name": "mallory", "role": "admin"},
    # The victim's counter name: Globex must get a counter of its own, not touch Acme's.
    ("POST", "/counters/increments"): {"names": ["visits"]},
}


@given(phrase("the tenant {name:Name}"))
def a_tenant(world: World, name: str) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name)


@given(phrase("the tenant {name:Name} with {seats:d} seat{s:S}"))
def a_tenant_with_seats(world: World, name: str, seats: int, s: str) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name, seat_limit=seats)


@given(phrase("the tenant {name:Name} with room for {count:d} {records:Limited}"))
def a_tenant_with_room(
    world: World, app_tweaks: AppTweaks, name: str, count: int, records: str
) -> None:
    world.tenants[name] = TenantFactory(slug=name.lower(), name=name)
    set_room(app_tweaks, records, count)


@given(phrase("{tenant:Name} has room for {count:d} {records:Limited}"))
def tenant_has_room(app_tweaks: AppTweaks, tenant: str, count: int, records: str) -> None:
    # The limit is the service's, the same for every tenant; the scenario names its tenant.
    set_room(app_tweaks, records, count)


@given(phrase("{tenant:Name} holds one record of every kind"))
def one_of_every_kind(world: World, tenant: str) -> None:
    tenant_id = world.tenant(tenant).id
    UserFactory(tenant_id=tenant_id, name="Alice", email=email_of("Alice", tenant))
    CounterFactory(tenant_id=tenant_id, name="visits", value=3)
    ApiKeyFactory(tenant_id=tenant_id, name="ci", role="admin")


@when(phrase("{intruder:Name} calls {method:Method} {path:Path} aimed at {victim:Name}'s data"))
@reads_stored_before
def call_endpoint_at_victim(
    world: World, api: ServiceApi, intruder: str, method: str, path: str, victim: str
) -> None:
    """The intruder is a signed-in person of another tenant, acting with their own credentials."""
    state = world.stored_before.tenant(victim)
    world.records_at_stake = "api_keys" if path.startswith("/api-keys") else "users"
    ids = {"/users/": state.users[0]["id"], "/api-keys/": state.api_keys[0]["id"]}
    url = path.replace("{name}", next(iter(state.counters)))
    for prefix, record_id in ids.items():
        if path.startswith(prefix):
            url = url.replace("{id}", str(record_id))
    world.response = api.call(
        method,
        url,
        tenant=world.tenant_of(intruder).slug,
        json=SAMPLE_BODIES.get((method, path)),
        credentials=world.credentials(intruder),
    )


@when(phrase("{person:Name} lists users naming the tenant {header:Value}"))
def list_users_naming(world: World, api: ServiceApi, person: str, header: str) -> None:
    tenant = None if header == "nothing" else json.loads(header)
    world.response = api.list_users(tenant, credentials=world.credentials(person))


@when(phrase("{person:Name} adds a user naming the tenant {header:Value}"))
def add_naming_tenant(world: World, api: ServiceApi, person: str, header: str) -> None:
    world.response = api.create_user(
        json.loads(header), VALID_NEW_USER, credentials=world.credentials(person)
    )


@then(phrase("the answer shows nothing of {victim:Name}'s"))
@reads_stored_before
def answer_shows_nothing_of(world: World, victim: str) -> None:
    body = world.last.text
    state = world.stored_before.tenant(victim)
    for user in state.users:
        assert user["email"] not in body, f"{victim}'s user {user['email']} leaked: {body}"
        assert user["name"] not in body, f"{victim}'s user {user['name']} leaked: {body}"
    for key in state.api_keys:
        assert key["prefix"] not in body, f"{victim}'s API key {key['prefix']} leaked: {body}"
    if body:
        # Ids are per table: compare with the kind of record the endpoint deals in.
        records = state.users if world.records_at_stake == "users" else state.api_keys
        leaked = ids_in(json.loads(body)) & {record["id"] for record in records}
        assert not leaked, f"{victim}'s ids {leaked} leaked: {body}"


@then(phrase("{tenant:Name}'s stored data is unchanged"))
@reads_stored_before
def tenant_unchanged(world: World, db_session: Session, tenant: str) -> None:
    now = tenant_state(db_session, world.tenant(tenant).id)
    assert now == world.stored_before.tenant(tenant)
