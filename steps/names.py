"""Names of people and API keys: what characters a name may hold, and what is stored."""

import json

from pytest_bdd import then, when
from sqlalchemy.orm import Session

from harness.api import ServiceApi
from harness.names import NameTrials, first_broken_name
from harness.phrases import phrase
from harness.stored import api_keys_of, users_of
from harness.world import World

NAMED = ("POST /users", "POST /api-keys")


def _unescaped(text: str) -> str:
    # The Examples write invisible characters as JSON escapes: "Sam \\u200d".
    return str(json.loads(f'"{text}"'))


def _trials(world: World, api: ServiceApi, session: Session, person: str) -> NameTrials:
    tenant = world.tenant_of(person)
    return NameTrials(api, session, tenant.id, tenant.slug)


def _add_both(world: World, trials: NameTrials, person: str, name: str) -> None:
    for operation, record in zip(NAMED, ("user", "API key"), strict=True):
        world.by_operation[operation] = trials.add(record, name, world.credentials(person))


@when(phrase("{person:Name} adds a user and an API key, each named with {char:CodePoint} inside"))
def add_both_with_char(
    world: World, api: ServiceApi, db_session: Session, person: str, char: str
) -> None:
    _add_both(world, _trials(world, api, db_session, person), person, f"Al{char}ice")


@when(phrase('{person:Name} adds a user and an API key, each named "{name:Text}"'))
def add_both_named(
    world: World, api: ServiceApi, db_session: Session, person: str, name: str
) -> None:
    _add_both(world, _trials(world, api, db_session, person), person, _unescaped(name))


@when(phrase("{person:Name} tries {count:d} generated names for users and API keys"))
def try_generated_names(
    world: World, api: ServiceApi, db_session: Session, person: str, count: int
) -> None:
    trials = _trials(world, api, db_session, person)
    caller = world.credentials(person)
    world.counterexample = first_broken_name(
        lambda record, name: trials.rule_broken(record, name, caller), count
    )
    world.searched = count


@then(phrase('each is stored in {tenant:Name} with the name "{name:Text}", as answered'))
def each_stored_as_named(world: World, db_session: Session, tenant: str, name: str) -> None:
    expected, tenant_id = _unescaped(name), world.tenant(tenant).id
    stored = {"POST /users": users_of, "POST /api-keys": api_keys_of}
    for operation, answer in world.by_operation.items():
        assert answer.status_code == 201, f"{operation}: {answer.text}"
        assert answer.json()["name"] == expected, f"{operation}: {answer.text}"
        rows = [
            r for r in stored[operation](db_session, tenant_id) if r["id"] == answer.json()["id"]
        ]
        assert [row["name"] for row in rows] == [expected], f"{operation}: stored {rows}"


@then(
    "each name was stored as answered with nothing hidden in it, or refused naming the field "
    "with nothing stored"
)
def no_name_broke_the_rule(world: World) -> None:
    assert world.searched, "no names were tried"
    assert world.counterexample is None, f"smallest case found: {world.counterexample}"
