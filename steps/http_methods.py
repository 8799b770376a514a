"""The methods an address takes: what else is refused, and how the refusal says so."""

import re

from pytest_bdd import when

from harness.api import ServiceApi
from harness.phrases import phrase
from harness.world import World


def _address(world: World, path: str) -> str:
    """ "/users/{Alice}" is the address of Alice's record."""
    return re.sub(r"\{([A-Z][a-z]+)\}", lambda m: str(world.person(m.group(1)).id), path)


@when(phrase("{tenant:Name} sends {method:Method} to {path:Path}"))
def send_method(world: World, api: ServiceApi, tenant: str, method: str, path: str) -> None:
    world.response = api.send_method(method, _address(world, path), world.tenant(tenant).slug)


@when(phrase("{tenant:Name} asks which methods {path:Path} takes"))
def ask_methods(world: World, api: ServiceApi, tenant: str, path: str) -> None:
    world.response = api.send_method("OPTIONS", _address(world, path), world.tenant(tenant).slug)
