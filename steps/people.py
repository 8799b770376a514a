"""The people of a tenant: who exists, with which role and password."""

from pytest_bdd import given

from harness.people import add_person
from harness.phrases import phrase
from harness.world import World


@given(phrase("{person:Name} is {role:ARole} of {tenant:Name}"))
def person_of_tenant(world: World, person: str, role: str, tenant: str) -> None:
    add_person(world, person, role, tenant)


@given(phrase('{person:Name}, {role:ARole} of {tenant:Name}, has the password "{password:Text}"'))
def person_with_password(world: World, person: str, role: str, tenant: str, password: str) -> None:
    add_person(world, person, role, tenant, password=password)
