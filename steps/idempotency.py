"""Requests made safe to repeat with an Idempotency-Key."""

from pytest_bdd import given, then, when

from harness.api import ServiceApi
from harness.phrases import phrase
from harness.world import World


def _same_person(person: str) -> dict[str, str]:
    # The same details whichever tenant adds them: only the key's scope can tell them apart.
    return {"name": person, "email": f"{person.lower()}@example.com"}


@given(phrase('{tenant:Name} added {person:Name} under the idempotency key "{key:Text}"'))
def added_under_key(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    # An earlier request is the precondition here: the key and its answer are the service's.
    first = api.create_user_once(world.tenant(tenant).slug, _same_person(person), key)
    assert first.status_code == 201, first.text
    world.earlier = first


@when(phrase('{tenant:Name} adds {person:Name} under the idempotency key "{key:Text}"'))
def add_under_key(world: World, api: ServiceApi, tenant: str, person: str, key: str) -> None:
    world.response = api.create_user_once(world.tenant(tenant).slug, _same_person(person), key)


@then("the answer is the same as the first time")
def same_as_first(world: World) -> None:
    first = world.earlier
    assert first is not None, "no first request was made"
    assert (world.last.status_code, world.last.json()) == (first.status_code, first.json())
    assert world.last.headers["Location"] == first.headers["Location"]
