"""API keys for machine clients: an admin creates, lists and revokes them."""

import json
from datetime import UTC, datetime, timedelta

from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.auth.credentials import API_KEY_HEADER
from harness.answers import reading
from harness.api import ServiceApi
from harness.auth import api_key
from harness.backdate import age_api_key_use, database_now
from harness.factories import ApiKeyFactory
from harness.odd_input import api_keys_near, first_counterexample, made_up_api_keys, shown
from harness.paging import read_pages
from harness.people import new_user
from harness.phrases import phrase
from harness.stored import api_keys_of
from harness.world import World


@given(phrase('{tenant:Name} has the {role:Role} API key "{name:Text}"'))
def tenant_has_key(world: World, tenant: str, role: str, name: str) -> None:
    key = api_keys.new_key()
    world.api_keys[name] = ApiKeyFactory(
        tenant_id=world.tenant(tenant).id, name=name, role=role, key=key
    )
    world.signed_in[f'the "{name}" key'] = api_key(key)


@given(phrase('the "{name:Text}" key was last used {hours:d} hours ago'))
def key_used_long_ago(world: World, db_session: Session, name: str, hours: int) -> None:
    key = world.api_key(name)
    age_api_key_use(db_session, key.tenant_id, key.id, timedelta(hours=hours))


@given(phrase("{tenant:Name} has {active:d} active and {revoked:d} revoked API keys"))
def tenant_has_keys(world: World, tenant: str, active: int, revoked: int) -> None:
    tenant_id = world.tenant(tenant).id
    ApiKeyFactory.create_batch(active, tenant_id=tenant_id)
    ApiKeyFactory.create_batch(revoked, tenant_id=tenant_id, revoked_at=datetime.now(UTC))


@given(phrase("{tenant:Name} has {active:d} active API keys"))
def tenant_has_active_keys(world: World, tenant: str, active: int) -> None:
    tenant_has_keys(world, tenant, active, 0)


@given(phrase('{tenant:Name} has revoked the API key "{name:Text}"'))
def key_revoked(world: World, db_session: Session, tenant: str, name: str) -> None:
    world.api_key(name).revoked_at = datetime.now(UTC)
    db_session.commit()


@when(phrase('{person:Name} creates the {role:Role} API key "{name:Text}" for {tenant:Name}'))
def creates_key(
    world: World, api: ServiceApi, person: str, role: str, name: str, tenant: str
) -> None:
    world.response = api.create_api_key(
        world.tenant(tenant).slug, {"name": name, "role": role}, world.credentials(person)
    )


@when(phrase("{person:Name} lists the API keys of {tenant:Name}"))
def lists_keys(world: World, api: ServiceApi, person: str, tenant: str) -> None:
    world.response = api.list_api_keys(world.tenant(tenant).slug, world.credentials(person))


@when(phrase("{person:Name} pages through the API keys of {tenant:Name} {size:d} at a time"))
def pages_through_keys(world: World, api: ServiceApi, person: str, tenant: str, size: int) -> None:
    slug, credentials = world.tenant(tenant).slug, world.credentials(person)
    world.pages = read_pages(
        lambda limit, offset: api.list_api_keys(slug, credentials, limit=limit, offset=offset),
        size,
    )


@when(phrase('{person:Name} revokes the API key "{name:Text}" of {tenant:Name}'))
def revokes_key(world: World, api: ServiceApi, person: str, name: str, tenant: str) -> None:
    world.response = api.revoke_api_key(
        world.tenant(tenant).slug, world.api_key(name).id, world.credentials(person)
    )


# The near misses are all tried; this many more are made up (each one request).
MADE_UP_KEYS = 24


@when(
    phrase(
        "someone adds Carol to {tenant:Name} with many made-up API keys, "
        'some one edit away from the "{name:Text}" key'
    )
)
def made_up_keys(world: World, api: ServiceApi, tenant: str, name: str) -> None:
    real = world.credentials(f'the "{name}" key')[API_KEY_HEADER]
    slug = world.tenant(tenant).slug

    def probe(key: str) -> str | None:
        answer = api.create_user(slug, new_user("Carol", tenant), api_key(key))
        world.answers.append(answer)
        world.tried.append(f"the made-up API key {shown(key, 60)}")
        refused = answer.status_code == 401 and reading(answer)[1] == "invalid_credentials"
        return None if refused else world.tried[-1]

    for key in api_keys_near(real):
        if probe(key) is not None:
            return
    first_counterexample(made_up_api_keys(real), probe, budget=MADE_UP_KEYS)


@then("the answer shows the key's secret once")
def shows_secret(world: World) -> None:
    body = world.last.json()
    assert api_keys.prefix_of(body["key"]) == body["prefix"]
    world.created_key = body


@then(phrase('{tenant:Name} has the API key "{name:Text}" stored, without its secret'))
def key_stored(world: World, db_session: Session, tenant: str, name: str) -> None:
    assert world.created_key is not None, "no key was created"
    secret = world.created_key["key"]
    rows = [k for k in api_keys_of(db_session, world.tenant(tenant).id) if k["name"] == name]
    assert len(rows) == 1, rows
    assert secret not in json.dumps(rows, default=str)
    assert rows[0]["secret_hash"] == api_keys.digest(secret)


@then(phrase('the list shows the key "{used:Text}" as used, and "{unused:Text}" as never used'))
def list_shows_use(world: World, used: str, unused: str) -> None:
    last_used = {item["name"]: item["last_used_at"] for item in world.last.json()["items"]}
    assert last_used[used] is not None and last_used[unused] is None, last_used


@then(phrase('the list shows the key "{name:Text}" as last used within the last minute'))
def list_shows_recent_use(world: World, db_session: Session, name: str) -> None:
    last_used = {item["name"]: item["last_used_at"] for item in world.last.json()["items"]}
    assert last_used[name] is not None, last_used
    used_at = datetime.fromisoformat(last_used[name])
    assert used_at >= database_now(db_session) - timedelta(minutes=1), last_used


@then(phrase('the list shows the key "{name:Text}" with its prefix and no secret'))
def list_shows_key(world: World, name: str) -> None:
    items = world.last.json()["items"]
    row = world.api_key(name)
    listed = [item for item in items if item["name"] == name]
    assert [item["prefix"] for item in listed] == [row.prefix]
    assert "key" not in listed[0] and "secret_hash" not in listed[0]
    assert row.secret_hash not in world.last.text


@then(phrase('the API key "{name:Text}" is stored as revoked'))
def key_revoked_stored(world: World, db_session: Session, name: str) -> None:
    row = world.api_key(name)
    stored = [k for k in api_keys_of(db_session, row.tenant_id) if k["id"] == row.id]
    assert stored and stored[0]["revoked_at"] is not None, stored


@then(phrase("{tenant:Name} has {count:d} active API key{s:S} stored"))
def active_keys_stored(world: World, db_session: Session, tenant: str, count: int, s: str) -> None:
    stored = api_keys_of(db_session, world.tenant(tenant).id)
    active = [key["name"] for key in stored if key["revoked_at"] is None]
    assert len(active) == count, f"{len(active)} active API keys stored: {active}"
