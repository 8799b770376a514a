"""Liveness and readiness, as operations ask for them."""

from pytest_bdd import then, when

from harness.api import ServiceApi
from harness.phrases import phrase
from harness.world import World


@when("operations ask whether the service is alive")
def ask_alive(world: World, api: ServiceApi) -> None:
    world.response = api.liveness()


@when("operations ask whether the service is ready")
def ask_ready(world: World, api: ServiceApi) -> None:
    world.response = api.readiness()


@then(phrase('the service reports "{status:Text}"'))
def service_reports(world: World, status: str) -> None:
    assert world.last.json() == {"status": status}
