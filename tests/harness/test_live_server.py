import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from harness.api import NO_CREDENTIALS, ServiceApi
from harness.factories import TenantFactory
from harness.live_server import live_server
from harness.world import World


def test_the_live_server_answers_on_loopback_and_stops_cleanly() -> None:
    app = create_app(
        Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
    )
    before = set(threading.enumerate())
    with live_server(app) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        answer = httpx.get(f"{base_url}/health", timeout=5)
        assert answer.json() == {"status": "ok"}
    assert set(threading.enumerate()) - before == set(), "a server thread outlived the server"
    try:
        httpx.get(f"{base_url}/health", timeout=1)
    except httpx.ConnectError:
        pass
    else:
        raise AssertionError("the server still answers after the with-block")


@pytest.mark.committed_data
def test_the_default_caller_acts_for_its_tenant_over_a_live_server_from_threads(
    app: FastAPI, world: World
) -> None:
    """ServiceApi over a real server gets the scenario's default admin, seeded once."""
    world.tenants["Acme"] = TenantFactory(slug="acme", name="Acme")
    with live_server(app) as base_url, httpx.Client(base_url=base_url, timeout=5) as http:
        api = ServiceApi(http)
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: api.increment_counter("acme", "hits"), range(8)))
        assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]
        assert api.read_counter("acme", "hits").json()["value"] == 8
        assert list(world.default_callers) == ["acme"]
        refused = api.read_counter("acme", "hits", credentials=NO_CREDENTIALS)
        assert refused.status_code == 401
