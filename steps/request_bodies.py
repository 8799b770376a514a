"""Request bodies: what the service reads as JSON, for every operation that takes one."""

from fastapi import FastAPI
from pytest_bdd import then, when

from harness.answers import not_json_problem, refusal_problem
from harness.api import ServiceApi
from harness.bodies import VALID_BODIES, operations_with_body, unreadable
from harness.phrases import phrase
from harness.world import World


@when(phrase("{person:Name} sends {problem:Value} to every request that takes a body"))
def send_to_every_body(
    world: World, api: ServiceApi, app: FastAPI, person: str, problem: str
) -> None:
    slug, caller = world.tenant_of(person).slug, world.credentials(person)
    for method, path in operations_with_body(app):
        body = unreadable(problem, VALID_BODIES[(method, path)])
        url = path.replace("{user_id}", str(world.person(person).id))
        world.by_operation[f"{method} {path}"] = api.send_bytes(
            method, url, slug, body, credentials=caller
        )


@then(
    phrase(
        'every one is answered {status:d} with the error "{code:Text}", saying the body is '
        'not valid JSON because "{reason:Text}"'
    )
)
def every_one_not_json(world: World, status: int, code: str, reason: str) -> None:
    assert world.by_operation, "no request was sent"
    wrong = {
        operation: problem
        for operation, answer in world.by_operation.items()
        if (problem := refusal_problem(answer, status, code, "json_invalid"))
        or (problem := not_json_problem(answer, reason))
    }
    assert not wrong, "\n".join(f"{operation}: {problem}" for operation, problem in wrong.items())
