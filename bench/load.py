"""The service under load: a real uvicorn on 127.0.0.1, a bounded number of concurrent
clients, each request driven through harness.api.ServiceApi.

The clients run in a child process (threads there), so they do not share the server's
GIL: on a small machine, clients in the server's process would slow the server down and
the numbers would describe Python's GIL, not the service.
"""

import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.db import TENANCY_INFO_KEY
from app.main import create_app
from harness.api import ServiceApi
from harness.auth import Headers, api_key
from harness.factories import ApiKeyFactory, TenantFactory, UserFactory, bind_factories
from harness.live_server import live_server
from harness.provision import TestDatabase, worker_database_name
from harness.suite_database import (
    SuiteSettings,
    postgres_server,
    seeder_engine,
    service_settings,
    suite_database,
)

TENANT = "acme"
SEEDED_USERS = 20  # one page of GET /users, the default page size
REQUEST_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    elapsed_s: float
    latencies_s: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s

    def percentile(self, pct: int) -> float:
        return statistics.quantiles(self.latencies_s, n=100, method="inclusive")[pct - 1]


def _one_client(
    base_url: str, operation: str, client: int, count: int, deadline: float, key: str
) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    credentials: Headers = api_key(key)
    with httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as http:
        # The clients run in another process: the scenario's default caller is not there.
        api = ServiceApi(http, default_credentials=lambda _tenant: credentials)
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            if operation == "read":
                answer = api.list_users(TENANT)
            else:
                # One counter per client: measures the write path, not one row's lock queue.
                answer = api.increment_counter(TENANT, f"load-{client}")
            latencies.append(time.perf_counter() - started)
            errors += answer.status_code != 200
    return latencies, errors


# One statement of a request as the service sent it: SQL and parameters, or a transaction
# end (COMMIT / ROLLBACK), which the driver does itself rather than through a cursor.
Statement = tuple[str, object]
TRANSACTION_ENDS = ("COMMIT", "ROLLBACK")


def capture_statements(engine: Engine, request: Callable[[], object]) -> list[Statement]:
    """Every statement `request` makes the service send on `engine`, in order."""
    sent: list[Statement] = []

    def on_execute(conn: object, cursor: object, sql: str, params: object, *_: object) -> None:
        sent.append((sql, params))

    def on_commit(conn: object) -> None:
        sent.append(("COMMIT", None))

    def on_rollback(conn: object) -> None:
        sent.append(("ROLLBACK", None))

    listeners = (
        ("before_cursor_execute", on_execute),
        ("commit", on_commit),
        ("rollback", on_rollback),
    )
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        request()
        # The answer can reach the client before the request's session is closed (its
        # rollback): wait until every connection is back in the pool.
        deadline = time.monotonic() + REQUEST_TIMEOUT_S
        while engine.pool.checkedout() and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.001)
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    return sent


def _one_raw_client(
    dsn: str, statements: list[Statement], count: int, deadline: float
) -> tuple[list[float], int]:
    """The same statements as one request, `count` times on one connection of its own."""
    import psycopg2  # type: ignore[import-untyped]  # the suite's default driver

    latencies: list[float] = []
    connection = psycopg2.connect(dsn)
    try:
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            with connection.cursor() as cursor:
                for sql, params in statements:
                    if sql == "COMMIT":
                        connection.commit()
                    elif sql == "ROLLBACK":
                        connection.rollback()
                    else:
                        cursor.execute(sql, params)
                        if cursor.description is not None:
                            cursor.fetchall()
            connection.rollback()  # whatever the request left open
            latencies.append(time.perf_counter() - started)
    finally:
        connection.close()
    return latencies, 0


def drive_raw(
    dsn: str, statements: list[Statement], clients: int, per_client: int, max_s: float
) -> LoadResult:
    """`clients` threads, each replaying a request's statements on its own connection."""
    deadline = time.monotonic() + max_s
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [
            pool.submit(_one_raw_client, dsn, statements, per_client, deadline)
            for _ in range(clients)
        ]
        outcomes = [future.result() for future in futures]
    elapsed = time.perf_counter() - started
    latencies = [seconds for client_latencies, _ in outcomes for seconds in client_latencies]
    return LoadResult(len(latencies), 0, elapsed, latencies)


def _libpq_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def drive(
    base_url: str, operation: str, clients: int, per_client: int, max_s: float, key: str
) -> LoadResult:
    """`clients` concurrent clients, `per_client` requests each, stopping after `max_s` anyway."""
    deadline = time.monotonic() + max_s
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [
            pool.submit(_one_client, base_url, operation, client, per_client, deadline, key)
            for client in range(clients)
        ]
        outcomes = [future.result() for future in futures]
    elapsed = time.perf_counter() - started
    latencies = [seconds for client_latencies, _ in outcomes for seconds in client_latencies]
    return LoadResult(len(latencies), sum(errors for _, errors in outcomes), elapsed, latencies)


def _seed(database: TestDatabase) -> str:
    """Committed rows through the suite's factories: Acme with a page of users.

    As the suite's seeding role (the service may not create tenants). Returns the
    secret of an admin API key of Acme, for the load clients.
    """
    key = api_keys.new_key()
    engine = seeder_engine(database)
    try:
        # The suite's tenancy mode: in schemas mode the factory provisions each schema.
        tenancy = {TENANCY_INFO_KEY: SuiteSettings().test_tenancy}
        with Session(engine, expire_on_commit=False, info=tenancy) as session:
            bind_factories(session)
            try:
                acme = TenantFactory(slug=TENANT, name="Acme")
                UserFactory.create_batch(SEEDED_USERS, tenant_id=acme.id)
                ApiKeyFactory(tenant_id=acme.id, key=key, role="admin")
                TenantFactory(slug="globex", name="Globex")  # another tenant, so RLS filters
            finally:
                bind_factories(None)
    finally:
        engine.dispose()
    return key


# What `measure_load` calls the raw driver loop over GET /users' statements.
RAW_READ = "raw_read"


def measure_load(
    operations: tuple[str, ...], clients: int, per_client: int, max_s: float, runs: int
) -> tuple[dict[str, list[LoadResult]], list[Statement]]:
    """Each operation `runs` times against one real server, and as many runs of a raw
    driver loop replaying GET /users' statements (results under RAW_READ), alternating so
    both see the same machine; returns the results and the statements replayed."""
    results: dict[str, list[LoadResult]] = {op: [] for op in (*operations, RAW_READ)}
    with (
        postgres_server() as server,
        suite_database(server, worker_database_name("bench_load", "main")) as database,
    ):
        settings = service_settings(database)
        key = _seed(database)
        app = create_app(settings)
        spawn = multiprocessing.get_context("spawn")
        with live_server(app) as base_url, spawn.Pool(1) as client_process:
            # A request of the steady state: the first one also writes the key's last use,
            # which later requests within the minute skip.
            _one_client(base_url, "read", 0, 1, 1e18, key)
            statements = capture_statements(
                app.state.engine, lambda: _one_client(base_url, "read", 0, 1, 1e18, key)
            )
            dsn = _libpq_dsn(database.service_url)
            for _ in range(runs):
                for operation in operations:
                    result = client_process.apply(
                        drive, (base_url, operation, clients, per_client, max_s, key)
                    )
                    results[operation].append(result)
                raw = client_process.apply(drive_raw, (dsn, statements, clients, per_client, max_s))
                results[RAW_READ].append(raw)
        app.state.engine.dispose()
    return results, statements
