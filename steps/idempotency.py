"""Requests made safe to repeat with an Idempotency-Key."""

from datetime import timedelta

from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.backdate import age_idempotency_key
from harness.phrases import phrase
from harness.stored import idempotency_key_ages
from harness.world import AppTweaks, World


def _same_person(person: str) -> dict[str, str]:
    # The same details whichever tenant adds them: only the key's scope can tell them apart.
    return {"name": person, "email": f"{person.lower()}@example.com"}


def _first_request(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    # An earlier request is the precondition here: the key and its answer are the service's.
    first = api.create_user_once(world.tenant(tenant).slug, _same_person(person), key)
    assert first.status_code == 201, first.text
    world.first_under_key[(tenant, key)] = first


@given(phrase('{tenant:Name} added {person:Name} under the idempotency key "{key:Text}"'))
def added_under_key(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    _first_request(world, api, tenant, person, key)


@given(phrase("idempotency keys are kept for {hours:d} hours"))
def keys_kept_for(app_tweaks: AppTweaks, hours: int) -> None:
    app_tweaks.set(idempotency_key_ttl_s=int(timedelta(hours=hours).total_seconds()))


@given(
    phrase(
        '{tenant:Name} added {person:Name} under the idempotency key "{key:Text}" '
        "{hours:d} hours ago"
    )
)
def added_under_key_ago(
    world: World,
    api: ServiceApi,
    db_session: Session,
    tenant: str,
    person: str,
    key: str,
    hours: int,
) -> None:
    _first_request(world, api, tenant, person, key)
    age_idempotency_key(db_session, world.tenant(tenant).id, key, timedelta(hours=hours))


@when(phrase('{tenant:Name} adds {person:Name} under the idempotency key "{key:Text}"'))
def add_under_key(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    world.response = api.create_user_once(world.tenant(tenant).slug, _same_person(person), key)
    world.repeated = (tenant, key)


@then("the answer is the same as the first time")
def same_as_first(world: World) -> None:
    # The first time this tenant sent this key: not another key's, not another tenant's.
    assert world.repeated is not None, "no request was sent under an idempotency key"
    first = world.first_under_key.get(world.repeated)
    assert first is not None, f"no first request under {world.repeated}"
    assert (world.last.status_code, world.last.json()) == (first.status_code, first.json())
    # Both answers are JSON and point at the one user added, as a first answer does.
    for answer in (first, world.last):
        assert answer.headers["Content-Type"] == "application/json", answer.headers
        assert answer.headers["Location"] == f"/users/{first.json()['id']}", answer.headers


@then(phrase("{tenant:Name} keeps no idempotency key older than {hours:d} hours"))
def no_key_older_than(world: World, db_session: Session, tenant: str, hours: int) -> None:
    ages = idempotency_key_ages(db_session, world.tenant(tenant).id)
    old = {key: str(age) for key, age in ages.items() if age > timedelta(hours=hours)}
    assert not old, f"idempotency keys kept past {hours} hours: {old}"
