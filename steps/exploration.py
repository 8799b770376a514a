"""The suite searching for broken rules by itself: generated sequences, checked as they run."""

import os

from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from app.settings import Settings
from harness.api import ServiceApi
from harness.exploration import Budget, Exploration, RuleBroken, explore
from harness.world import World


@given("the suite makes up sequences of requests from Acme's and Globex's callers")
def made_up_sequences(
    world: World, api: ServiceApi, db_session: Session, service_settings: Settings
) -> None:
    world.exploration = Exploration(api=api, session=db_session, settings=service_settings)


@when("the service answers every one of them")
def answers_every_one(world: World) -> None:
    assert world.exploration is not None
    # EXPLORE_EXAMPLES / EXPLORE_STEPS / EXPLORE_SEED: a bigger or other search than the
    # stage's fixed one (README: "The suite searching by itself").
    budget = Budget(
        examples=int(os.environ.get("EXPLORE_EXAMPLES", Budget.examples)),
        steps=int(os.environ.get("EXPLORE_STEPS", Budget.steps)),
        seed=int(os.environ["EXPLORE_SEED"]) if os.environ.get("EXPLORE_SEED") else None,
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
