"""The live server and the parallel runner: requests really overlap on separate database
connections, and nothing (thread, connection) is left behind."""

import threading
import time
from functools import partial
from typing import cast

import httpx
import pytest
from sqlalchemy import Engine, text

from app.main import create_app
from app.settings import Settings
from harness.api import HttpResponse, ServiceApi
from harness.factories import TenantFactory
from harness.faults import in_tenant_schema
from harness.live_server import live_server
from harness.parallel import MAX_WORKERS, run_at_once
from harness.provision import SERVICE_ROLE
from harness.world import World

WAIT_LIMIT_S = 10.0


def _increment(slug: str, counter: str, api: ServiceApi) -> HttpResponse:
    return api.increment_counter(slug, counter)


def _service_sessions(admin_engine: Engine, where: str = "true") -> int:
    with admin_engine.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                f"WHERE datname = current_database() AND usename = :role AND {where}"
            ),
            {"role": SERVICE_ROLE},
        )


@pytest.mark.committed_data
def test_a_burst_leaves_no_thread_or_connection_behind(
    service_settings: Settings, admin_engine: Engine, world: World
) -> None:
    # Named in the world, so calls get the scenario's default caller (Acme's admin key).
    tenant = world.tenants["Acme"] = TenantFactory(slug="acme", name="Acme")
    threads_before = set(threading.enumerate())
    connections_before = _service_sessions(admin_engine)
    app = create_app(service_settings.model_copy(update={"db_pool_size": MAX_WORKERS}))
    with live_server(app) as base_url:
        answers = run_at_once(
            base_url,
            [partial(_increment, tenant.slug, f"c{n % 3}") for n in range(30)],
        )
        assert _service_sessions(admin_engine) > connections_before
    assert [a.status_code for a in answers] == [200] * 30
    assert set(threading.enumerate()) <= threads_before, threading.enumerate()
    # A closed connection's backend leaves pg_stat_activity when its process has exited,
    # a moment after the close (longer after role switches, in schemas mode): allow that.
    deadline = time.monotonic() + WAIT_LIMIT_S
    while _service_sessions(admin_engine) > connections_before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _service_sessions(admin_engine) == connections_before


@pytest.mark.committed_data
def test_requests_really_overlap_on_separate_connections(
    service_settings: Settings, admin_engine: Engine, world: World
) -> None:
    tenant = world.tenants["Acme"] = TenantFactory(slug="acme", name="Acme")
    answers: list[HttpResponse] = []
    waiting = 0
    with live_server(create_app(service_settings)) as base_url, admin_engine.connect() as holder:
        # An uncommitted row with the counter's key: every increment must wait for it.
        in_tenant_schema(holder, tenant.id)  # schemas mode: the tenant's own counters
        holder.execute(
            text("INSERT INTO counters (tenant_id, name, value) VALUES (:t, 'c', 0)"),
            {"t": tenant.id},
        )
        calls = [lambda api: api.increment_counter(tenant.slug, "c")] * 4
        sender = threading.Thread(target=lambda: answers.extend(run_at_once(base_url, calls)))
        sender.start()
        deadline = time.monotonic() + WAIT_LIMIT_S
        while waiting < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
            waiting = _service_sessions(admin_engine, "wait_event_type = 'Lock'")
        holder.commit()
        sender.join(WAIT_LIMIT_S * 3)
    assert waiting == 4, f"only {waiting} requests were in the database at the same time"
    assert sorted(a.json()["value"] for a in answers) == [1, 2, 3, 4]


@pytest.mark.parametrize("lockstep", [True, False])
def test_in_lockstep_no_round_starts_before_the_last_one_ended(lockstep: bool) -> None:
    """The first call holds its round open until a second-round call starts, or 1 s passes:
    without lockstep the other workers go on meanwhile; in lockstep they wait for it."""
    events: list[tuple[str, int]] = []
    record = threading.Lock()
    second_round_started = threading.Event()

    def call(position: int) -> HttpResponse:
        round_number = position // MAX_WORKERS
        with record:
            events.append(("start", round_number))
        if round_number == 1:
            second_round_started.set()
        if position == 0:
            second_round_started.wait(timeout=1.0)
        with record:
            events.append(("end", round_number))
        return cast(HttpResponse, httpx.Response(200))  # no server: only the order counts

    calls = [lambda api, n=n: call(n) for n in range(2 * MAX_WORKERS)]
    run_at_once("http://127.0.0.1:9", calls, lockstep=lockstep)
    first_start_of_second_round = events.index(("start", 1))
    last_end_of_first_round = max(i for i, event in enumerate(events) if event == ("end", 0))
    assert (first_start_of_second_round > last_end_of_first_round) is lockstep, events
