"""The suite searching for broken rules by itself: generated sequences, checked as they run."""

import os

import pytest
import respx
from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.settings import Settings
from harness.api import ServiceApi
from harness.auth import api_key
from harness.batch_exploration import BatchExplorer, Party, explore_batches
from harness.exploration import Budget, Exploration, RuleBroken, explore
from harness.factories import ApiKeyFactory, TenantFactory
from harness.phrases import phrase
from harness.world import AppTweaks, World

# The batches the stage sends: this seed, on every run (EXPLORE_SEED for another search).
BATCH_SEED = 20261126


@given("the suite makes up sequences of requests from Acme's and Globex's callers")
def made_up_sequences(
    request: pytest.FixtureRequest,
    world: World,
    app_tweaks: AppTweaks,
    db_session: Session,
    service_settings: Settings,
    email_provider: respx.Router,
) -> None:
    # An app of its own: the sign-ins it makes up must not share the per-client sign-in
    # limit with the other scenarios of this worker (the throttle per account stays on).
    app_tweaks.set(login_client_max_attempts=10**6)
    api: ServiceApi = request.getfixturevalue("api")
    world.exploration = Exploration(
        api=api, session=db_session, settings=service_settings, provider=email_provider
    )


@when("the service answers every one of them")
def answers_every_one(world: World) -> None:
    assert world.exploration is not None
    # EXPLORE_EXAMPLES / EXPLORE_STEPS / EXPLORE_SEED: a bigger or other search than the
    # stage's fixed one (README: "The suite searching by itself").
    budget = Budget(
        examples=int(os.environ.get("EXPLORE_EXAMPLES", Budget.examples)),
        steps=int(os.environ.get("EXPLORE_STEPS", Budget.steps)),
        seed=int(os.environ["EXPLORE_SEED"]) if os.environ.get("EXPLORE_SEED") else None,
        shrink=os.environ.get("EXPLORE_SHRINK", "1") != "0",
    )
    try:
        explore(world.exploration, budget)
    except RuleBroken as broken:
        world.broken_rule = str(broken)


@then("no answer showed anything of the other tenant")
def nothing_leaked(world: World) -> None:
    _no_broken_rule(world, "nothing of one tenant reaches the other")


@then("every answer was the one the authorization table, seat limits and stored records give")
def answers_as_the_rules_give(world: World) -> None:
    _no_broken_rule(world, "the answer is the one the rules give")
    _no_broken_rule(world, "no answer is a server error")
    _no_broken_rule(world, "every error has the one shape")


@then("what each tenant stored always equalled what it was told")
def stored_as_told(world: World) -> None:
    _no_broken_rule(world, "stored")
    _no_broken_rule(world, "")  # any other rule: the exploration must have finished clean
    assert world.exploration is not None and world.exploration.runs > 0, "nothing was explored"


def _no_broken_rule(world: World, rule: str) -> None:
    broken = world.broken_rule
    assert broken is None or rule not in broken.splitlines()[0], broken


@given(phrase("{first:Name} and {second:Name}, each with {seats:d} seats and an admin at work"))
def parties_at_work(world: World, first: str, second: str, seats: int) -> None:
    for name in (first, second):
        tenant = TenantFactory(slug=name.lower(), name=name, seat_limit=seats)
        world.tenants[name] = tenant
        secret = api_keys.new_key()
        ApiKeyFactory(tenant_id=tenant.id, name="admin", role="admin", key=secret)
        world.parties.append(Party(tenant.slug, tenant.id, seats, api_key(secret)))


@when("the suite sends made-up batches of their requests, each batch at the same moment")
def send_made_up_batches(world: World, live_server_url: str, db_session: Session) -> None:
    seed = int(os.environ.get("EXPLORE_SEED") or BATCH_SEED)
    batches = int(os.environ.get("EXPLORE_BATCHES", BatchExplorer.batches))
    explorer = BatchExplorer(live_server_url, db_session, world.parties, seed, batches)

    def remember(broken: str) -> None:
        world.broken_rule = broken

    explore_batches(explorer, remember)
    world.exploration_done = True


@then("every answer was one the service documents, with nothing of the other tenant")
def batch_answers_documented(world: World) -> None:
    assert world.exploration_done, "no batch was sent"
    _no_broken_rule(world, "every answer is one the API documents")
    _no_broken_rule(world, "every error has the one shape")
    _no_broken_rule(world, "nothing of one tenant reaches the other")


@then("no two of their requests deadlocked, not even where the service's re-run hid it")
def batch_without_deadlocks(world: World) -> None:
    _no_broken_rule(world, "no two requests deadlock")


@then("what each tenant stored is what some one-after-another order of the answers gives")
def batch_stored_serially(world: World) -> None:
    _no_broken_rule(world, "")
