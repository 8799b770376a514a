"""What an answer says, whatever was asked: its status, its error, its headers."""

from pytest_bdd import then

from harness.answers import allowed_methods, assert_error, assert_no_internals, assert_status
from harness.people import listed
from harness.phrases import phrase
from harness.world import World


@then(phrase("the answer is {status:d}"))
def answer_status(world: World, status: int) -> None:
    assert_status(world.last, status)


@then(phrase('the answer is {status:d} with the error "{code:Text}"'))
def answer_error(world: World, status: int, code: str) -> None:
    assert_error(world.last, status, code)


@then(phrase('the answer is {status:d} with the error "{code:Text}", saying "{message:Text}"'))
def answer_error_saying(world: World, status: int, code: str, message: str) -> None:
    assert_error(world.last, status, code)
    assert world.last.json()["error"]["message"] == message, world.last.text


@then(
    phrase(
        'the answer is {status:d} with the error "{code:Text}", saying "{message:Text}", '
        "and asks the caller to retry later"
    )
)
def answer_error_retry_later(world: World, status: int, code: str, message: str) -> None:
    answer_error_saying(world, status, code, message)
    retry_later(world)


@then(phrase('the error says "{message:Text}"'))
def error_says(world: World, message: str) -> None:
    assert world.last.json()["error"]["message"] == message, world.last.text


@then(phrase('the error names the field "{field:Text}"'))
def error_names_field(world: World, field: str) -> None:
    error = world.last.json()["error"]
    fields = [detail["field"].split(".")[-1] for detail in error.get("details", [])]
    assert field in fields, f"{field!r} not among the fields named: {error}"
    assert field in error["message"], f"the message should name {field!r}: {error['message']}"


@then("the answer asks the caller to retry later")
def retry_later(world: World) -> None:
    assert int(world.last.headers["Retry-After"]) >= 1, world.last.headers


@then("the answer asks for credentials")
def asks_for_credentials(world: World) -> None:
    assert world.last.headers["WWW-Authenticate"].startswith("Bearer")


@then("the answer shows no internals")
def no_internals(world: World) -> None:
    assert_no_internals(world.last)


@then(
    phrase(
        'every one is answered {status:d} with the error "{code:Text}" '
        'naming the field "{field:Text}"'
    )
)
def every_one_names_field(world: World, status: int, code: str, field: str) -> None:
    assert world.by_operation, "no request was sent"
    for operation, answer in world.by_operation.items():
        assert_error(answer, status, code)
        fields = [d["field"].split(".")[-1] for d in answer.json()["error"].get("details", [])]
        assert fields == [field], f"{operation}: {answer.text}"


@then(phrase('the answer allows exactly "{methods:Text}"'))
def allows_exactly(world: World, methods: str) -> None:
    assert allowed_methods(world.last) == sorted(listed(methods)), world.last.headers


@then(phrase('every one of those answers is {status:d} with the error "{code:Text}"'))
def those_answers_error(world: World, status: int, code: str) -> None:
    assert world.answers, "no answers to look at"
    for answer, tried in zip(world.answers, world.tried, strict=True):
        assert answer.status_code == status, f"{tried} was answered {answer.status_code}"
        assert_error(answer, status, code)
