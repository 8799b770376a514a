"""Named counters: seeding, incrementing, reading."""

from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.factories import CounterFactory
from harness.people import listed
from harness.phrases import phrase
from harness.stored import counters_of
from harness.world import World


@given(phrase('{tenant:Name}\'s counter "{name:Text}" stands at {value:d}'))
def counter_stands_at(world: World, tenant: str, name: str, value: int) -> None:
    CounterFactory(tenant_id=world.tenant(tenant).id, name=name, value=value)


@given(phrase('{tenant:Name}\'s counters "{names:Text}" stand at {value:d}'))
def counters_stand_at(world: World, tenant: str, names: str, value: int) -> None:
    for name in listed(names):
        CounterFactory(tenant_id=world.tenant(tenant).id, name=name, value=value)


@given(phrase("{tenant:Name} has {count:d} counters"))
def tenant_has_counters(world: World, tenant: str, count: int) -> None:
    CounterFactory.create_batch(count, tenant_id=world.tenant(tenant).id)


@when(phrase('{tenant:Name} increments its counter "{name:Text}"'))
def increment(world: World, api: ServiceApi, tenant: str, name: str) -> None:
    world.response = api.increment_counter(world.tenant(tenant).slug, name)


@when(phrase('{tenant:Name} increments its counters "{names:Text}" together'))
def increment_together(world: World, api: ServiceApi, tenant: str, names: str) -> None:
    world.response = api.increment_counters(world.tenant(tenant).slug, listed(names))


@when(phrase('{tenant:Name} reads its counter "{name:Text}"'))
def read(world: World, api: ServiceApi, tenant: str, name: str) -> None:
    world.response = api.read_counter(world.tenant(tenant).slug, name)


@then(phrase("the counter shows {value:d}"))
def counter_shows(world: World, value: int) -> None:
    assert world.last.status_code == 200, world.last.text
    assert world.last.json()["value"] == value


@then(phrase('{tenant:Name}\'s counter "{name:Text}" is stored as {value:d}'))
def counter_stored(world: World, db_session: Session, tenant: str, name: str, value: int) -> None:
    assert counters_of(db_session, world.tenant(tenant).id).get(name) == value


@then(phrase('{tenant:Name}\'s counters "{names:Text}" are each stored as {value:d}'))
def counters_each_stored(
    world: World, db_session: Session, tenant: str, names: str, value: int
) -> None:
    stored = counters_of(db_session, world.tenant(tenant).id)
    assert {name: stored.get(name) for name in listed(names)} == dict.fromkeys(listed(names), value)


@then(phrase("{tenant:Name} has no counters stored"))
def no_counters_stored(world: World, db_session: Session, tenant: str) -> None:
    assert counters_of(db_session, world.tenant(tenant).id) == {}


@then(phrase("{tenant:Name} has exactly {count:d} counter{s:S} stored"))
def counters_stored_count(
    world: World, db_session: Session, tenant: str, count: int, s: str
) -> None:
    stored = counters_of(db_session, world.tenant(tenant).id)
    assert len(stored) == count, f"{len(stored)} counters stored: {sorted(stored)}"
