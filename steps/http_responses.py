"""What every answer of the service promises: status, and one error shape."""

from pytest_bdd import parsers, then

from harness.world import World


@then(parsers.parse("the answer is {status:d}"))
def answer_status(world: World, status: int) -> None:
    assert world.last.status_code == status, (
        f"expected {status}, got {world.last.status_code}: {world.last.text}"
    )


@then(parsers.parse('the answer is {status:d} with the error "{code}"'))
def answer_error(world: World, status: int, code: str) -> None:
    answer_status(world, status)
    error = world.last.json()["error"]
    assert error["code"] == code, error
    assert error["message"].strip(), "the error must say what is wrong"
    assert error["request_id"] == world.last.headers["X-Request-ID"], (
        "the error must carry the request id that the header echoes"
    )


@then(parsers.parse('the error names the field "{field}"'))
def error_names_field(world: World, field: str) -> None:
    error = world.last.json()["error"]
    fields = [detail["field"].split(".")[-1] for detail in error.get("details", [])]
    assert field in fields, f"{field!r} not among the fields named: {error}"
    assert field in error["message"], f"the message should name {field!r}: {error['message']}"
