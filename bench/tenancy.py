"""The two ways of keeping tenants apart, side by side: what a scenario, a new tenant and a
read cost in `rows` mode and in `schemas` mode (TEST_TENANCY / APP_TENANCY)."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.db import TENANCY_INFO_KEY
from bench.load import measure_load
from bench.runners import ROOT, RUN_TIMEOUT_S, BenchRunFailed, _env
from bench.timing_plugin import TIMINGS_ENV
from harness.factories import TenantFactory, bind_factories
from harness.provision import worker_database_name
from harness.suite_database import postgres_server, seeder_engine, suite_database

MODES = ("rows", "schemas")
FEATURE_MARK = "tenant_isolation"
TENANTS_CREATED = 20


@contextmanager
def tenancy(mode: str) -> Iterator[None]:
    """TEST_TENANCY for this process (the suite's settings read it) and its children."""
    before = os.environ.get("TEST_TENANCY")
    os.environ["TEST_TENANCY"] = mode
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TEST_TENANCY", None)
        else:
            os.environ["TEST_TENANCY"] = before


def scenario_own_times(mode: str) -> list[float]:
    """Each tenant_isolation scenario's own time (setup + call + teardown), the first left
    out (it carries the session's start: cluster, migrations)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        timings = handle.name
    command = [sys.executable, "-m", "pytest", "steps", "-m", FEATURE_MARK, "-q"]
    command += ["-p", "bench.timing_plugin", "-p", "no:cacheprovider"]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=_env(**{TIMINGS_ENV: timings, "TEST_TENANCY": mode}),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )
        if done.returncode != 0:
            raise BenchRunFailed(f"{' '.join(command)}\n{done.stdout[-3000:]}")
        tests = json.loads(Path(timings).read_text())["tests"]
    finally:
        Path(timings).unlink(missing_ok=True)
    return [test["seconds"] for test in tests[1:]]


def tenant_creation_s(mode: str, count: int) -> list[float]:
    """Creating one tenant as provisioning does (in schemas mode: role, schema, migrations),
    each in the suite's seeding session; all rolled back at the end."""
    seconds = []
    with (
        tenancy(mode),
        postgres_server() as server,
        suite_database(server, worker_database_name(f"bench_{mode}", "main")) as database,
    ):
        engine = seeder_engine(database)
        connection = engine.connect()
        outer = connection.begin()
        session = Session(
            bind=connection,
            join_transaction_mode="create_savepoint",
            info={TENANCY_INFO_KEY: mode},
        )
        bind_factories(session)
        try:
            for number in range(count):
                started = time.perf_counter()
                TenantFactory(slug=f"bench-{number}")
                seconds.append(time.perf_counter() - started)
        finally:
            bind_factories(None)
            session.close()
            outer.rollback()
            connection.close()
            engine.dispose()
    return seconds


def compare(runs: int, clients: int, per_client: int, max_s: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for mode in MODES:
        own = [statistics.median(scenario_own_times(mode)) for _ in range(runs)]
        created = tenant_creation_s(mode, TENANTS_CREATED)
        with tenancy(mode):
            reads = measure_load(("read",), clients, per_client, max_s, runs)[0]["read"]
        figures[mode] = {
            "scenario_median_s": statistics.median(own),
            "tenant_creation_median_s": statistics.median(created),
            "read_rps": statistics.median([r.rps for r in reads]),
            "read_p95_s": statistics.median([r.percentile(95) for r in reads]),
            "read_errors": sum(r.errors for r in reads),
        }
    return figures
