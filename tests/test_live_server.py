import threading

import httpx

from app.main import create_app
from app.settings import Settings
from harness.live_server import live_server


def test_the_live_server_answers_on_loopback_and_stops_cleanly() -> None:
    app = create_app(Settings(database_url="postgresql://unused@127.0.0.1:1/unused"))
    before = set(threading.enumerate())
    with live_server(app) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        answer = httpx.get(f"{base_url}/health", timeout=5)
        assert answer.json() == {"status": "ok"}
    # Only threads this test started count: others (anyio workers of an earlier
    # TestClient) may still be exiting, which made a plain count flaky under -n 2.
    assert not set(threading.enumerate()) - before
    try:
        httpx.get(f"{base_url}/health", timeout=1)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the server still answers after the with-block")
