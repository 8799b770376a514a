"""The error shape, the request id, and a clean 500 that keeps the trace in the log."""

import logging

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings

SECRET = "SELECT password FROM users -- secret detail"


@pytest.fixture
def client() -> TestClient:
    app = create_app(
        Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
    )

    def explode() -> None:
        raise RuntimeError(SECRET)

    app.add_api_route("/explode", explode, methods=["GET"])
    return TestClient(app)


def test_an_unexpected_exception_is_a_clean_500_with_the_trace_only_in_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="app.errors"):
        answer = client.get("/explode")
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == answer.headers["X-Request-ID"]
    assert SECRET not in answer.text and "Traceback" not in answer.text
    logged = [r.exc_info for r in caplog.records if r.exc_info]
    assert logged and SECRET in str(logged[0][1])


def test_a_valid_incoming_request_id_is_echoed(client: TestClient) -> None:
    answer = client.get("/nowhere", headers={"X-Request-ID": "trace-123"})
    assert answer.status_code == 404
    assert answer.headers["X-Request-ID"] == "trace-123"
    assert answer.json()["error"] == {
        "code": "not_found",
        "message": "Not Found",
        "request_id": "trace-123",
    }


def test_an_unprintable_incoming_request_id_is_replaced(client: TestClient) -> None:
    answer = client.get("/nowhere", headers={"X-Request-ID": "x" * 500})
    assert answer.headers["X-Request-ID"] != "x" * 500
    assert answer.json()["error"]["request_id"] == answer.headers["X-Request-ID"]


def test_a_wrong_method_answers_405_in_the_same_shape(client: TestClient) -> None:
    answer = client.put("/health")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"
