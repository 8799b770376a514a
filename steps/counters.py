"""Named counters: seeding, incrementing, reading."""

from pytest_bdd import given, parsers, then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.factories import CounterFactory
from harness.stored import counters_of
from harness.world import World


@given(parsers.parse('{tenant}\'s counter "{name}" stands at {value:d}'))
def counter_stands_at(world: World, tenant: str, name: str, value: int) -> None:
    CounterFactory(tenant_id=world.tenant(tenant).id, name=name, value=value)


@given(parsers.parse("{tenant} has {count:d} counters"))
def tenant_has_counters(world: World, tenant: str, count: int) -> None:
    CounterFactory.create_batch(count, tenant_id=world.tenant(tenant).id)


@when(parsers.parse('{tenant} increments its counter "{name}"'))
def increment(world: World, api: ServiceApi, tenant: str, name: str) -> None:
    world.response = api.increment_counter(world.tenant(tenant).slug, name)


@when(parsers.parse('{tenant} increments its counters "{names}" together'))
def increment_together(world: World, api: ServiceApi, tenant: str, names: str) -> None:
    listed = [name.strip() for name in names.split(",")]
    world.response = api.increment_counters(world.tenant(tenant).slug, listed)


@when(parsers.parse('{tenant} reads its counter "{name}"'))
def read(world: World, api: ServiceApi, tenant: str, name: str) -> None:
    world.response = api.read_counter(world.tenant(tenant).slug, name)


@then(parsers.parse("the counter shows {value:d}"))
def counter_shows(world: World, value: int) -> None:
    assert world.last.status_code == 200, world.last.text
    assert world.last.json()["value"] == value


@then(parsers.parse('{tenant}\'s counter "{name}" is stored as {value:d}'))
def counter_stored(world: World, db_session: Session, tenant: str, name: str, value: int) -> None:
    assert counters_of(db_session, world.tenant(tenant).id).get(name) == value


@then(parsers.parse("{tenant} has no counters stored"))
def no_counters_stored(world: World, db_session: Session, tenant: str) -> None:
    assert counters_of(db_session, world.tenant(tenant).id) == {}
