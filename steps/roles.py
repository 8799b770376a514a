"""What each role may do in its tenant: the authorization table's actions, tried."""

from pytest_bdd import when

from harness.actions import action
from harness.api import ServiceApi
from harness.phrases import phrase
from harness.world import World


@when(phrase("{person:Name} tries to {action_name:Action} in {tenant:Name}"))
def tries_action(world: World, api: ServiceApi, person: str, action_name: str, tenant: str) -> None:
    call = action(action_name)
    world.response = call(api, world.tenant(tenant).slug, world, world.credentials(person))
