"""What every answer of the service promises: its status, and the one error shape."""

from collections import Counter
from collections.abc import Iterable, Mapping

from harness.api import HttpResponse
from harness.faults import BUG_TEXT

# What an answer must never show: traces, driver and library names, partners' words.
INTERNALS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "psycopg",
    "httpx",
    "nginx",
    "upstream",
    "timed out",
    "connection refused",
    BUG_TEXT,
)


# Headers that differ between any two answers, whatever was asked.
PER_ANSWER_HEADERS = frozenset({"x-request-id", "date"})


def without_per_answer(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in PER_ANSWER_HEADERS}


def allowed_methods(answer: HttpResponse) -> list[str]:
    """The methods an answer's `Allow` header lists, sorted."""
    return sorted(m.strip() for m in answer.headers.get("Allow", "").split(",") if m.strip())


def assert_status(answer: HttpResponse, status: int) -> None:
    assert answer.status_code == status, (
        f"expected {status}, got {answer.status_code}: {answer.text}"
    )


def assert_error(answer: HttpResponse, status: int, code: str) -> None:
    """A refusal with `status` in the one error shape: code, a message, the request id."""
    assert_status(answer, status)
    error = answer.json()["error"]
    assert error["code"] == code, error
    message = error.get("message")
    assert isinstance(message, str) and message.strip(), (
        f"the error must say what is wrong: {error}"
    )
    assert error["request_id"] == answer.headers["X-Request-ID"], (
        "the error must carry the request id that the header echoes"
    )


def statuses(answers: Iterable[HttpResponse]) -> Counter[int]:
    return Counter(answer.status_code for answer in answers)


def assert_no_internals(answer: HttpResponse) -> None:
    body = answer.text.lower()
    shown = [marker for marker in INTERNALS if marker.lower() in body]
    assert not shown, f"the answer shows {shown}: {answer.text}"


def refusal_problem(answer: HttpResponse, status: int, code: str, kind: str) -> str | None:
    """What is wrong with `answer` as a refusal whose details are all of `kind`; None if right."""
    try:
        assert_error(answer, status, code)
    except (AssertionError, ValueError) as exc:
        return str(exc)
    kinds = [detail["type"] for detail in answer.json()["error"].get("details", [])]
    if not kinds or set(kinds) != {kind}:
        return f"refused, but not as {kind}: {answer.text}"
    return None


def reading(answer: HttpResponse) -> tuple[int, str | None, str | None, str | None, bool]:
    """What a caller reads in an answer: status, error code and message, the challenge
    header, and whether it says when to retry."""
    error = answer.json().get("error", {}) if answer.status_code >= 400 else {}
    return (
        answer.status_code,
        error.get("code"),
        error.get("message"),
        answer.headers.get("WWW-Authenticate"),
        "Retry-After" in answer.headers,
    )


# Two answers given a moment apart may count down Retry-After from a second apart.
RETRY_AFTER_SLACK_S = 2


def assert_alike(answer: HttpResponse, other: HttpResponse, what: str) -> None:
    """`answer` reads exactly like `other`: nothing in it tells the two cases apart."""
    assert reading(answer) == reading(other), f"{what}: {reading(answer)} != {reading(other)}"
    if "Retry-After" in answer.headers:
        waits = int(answer.headers["Retry-After"]), int(other.headers["Retry-After"])
        assert abs(waits[0] - waits[1]) <= RETRY_AFTER_SLACK_S, f"{what}: Retry-After {waits}"


NOT_JSON = "The request body is not valid JSON."


def not_json_problem(answer: HttpResponse, reason: str) -> str | None:
    """What is wrong with a refusal of an unreadable body: it says so, and why; None if right."""
    error = answer.json()["error"]
    messages = [detail["message"] for detail in error.get("details", [])]
    if (
        error["message"] != NOT_JSON
        or not messages
        or any(not m.endswith(f": {reason}") for m in messages)
    ):
        return f"should say {NOT_JSON!r} and why ({reason!r}): {answer.text}"
    return None
