"""Liveness and readiness, as operations ask for them."""

from pytest_bdd import then, when

from harness.answers import without_per_answer
from harness.api import ServiceApi
from harness.phrases import phrase
from harness.world import World


@when("operations ask whether the service is alive")
def ask_alive(world: World, api: ServiceApi) -> None:
    world.response = api.liveness()


@when("operations ask whether the service is ready")
def ask_ready(world: World, api: ServiceApi) -> None:
    world.response = api.readiness()


@when(phrase("a load balancer asks whether the service is {question:Words}, headers only"))
def ask_headers_only(world: World, api: ServiceApi, question: str) -> None:
    ask = {"alive": api.liveness, "ready": api.readiness}[question]
    world.earlier = ask("GET")
    world.response = ask("HEAD")


@then("the answer has the status and headers of the full answer, and no body")
def same_as_full_answer(world: World) -> None:
    full, head = world.earlier, world.last
    assert full is not None, "no full answer to compare with"
    assert (head.status_code, head.content) == (full.status_code, b""), head
    assert without_per_answer(head.headers) == without_per_answer(full.headers)


@then("operations heard that the service is alive and ready while the invitations still waited")
def heard_while_held(world: World) -> None:
    run = world.held
    for question, answer in run.probe.items():
        assert (answer.status_code, answer.json()) == (200, {"status": "ok"}), (
            question,
            answer.text,
        )
    assert run.probe_answered_while_held, (
        "operations got their answers only after the provider let the invitations go"
    )


@then(phrase('the service reports "{status:Text}"'))
def service_reports(world: World, status: str) -> None:
    assert world.last.json() == {"status": status}
