"""Runs pytest (and `make acceptance`) in subprocesses and times them; times the embedded
PostgreSQL on its own."""

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.generated import GeneratedProject, kind_of
from bench.timing_plugin import TIMINGS_ENV
from harness.pg_cluster import start_cluster

ROOT = Path(__file__).resolve().parent.parent
MAKE_PRINT = ["make", "--no-print-directory", "-s"]
RUN_TIMEOUT_S = 300  # a single run; the whole bench stays well under ten minutes


class BenchRunFailed(RuntimeError):
    """A measured run did not pass: its numbers would mean nothing."""


@dataclass(frozen=True)
class ScenarioTime:
    nodeid: str
    seconds: float
    worker: str
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PytestRun:
    wall_s: float
    tests: list[ScenarioTime]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # The generated tests live outside the repository: the suite's packages come from here.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def _timed(command: list[str], env: dict[str, str], timings_path: str) -> PytestRun:
    """Run `command` (whose timing plugin writes to `timings_path`), its wall time and each
    test's own time; the timings file is removed either way."""
    try:
        started = time.perf_counter()
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise BenchRunFailed(
                f"{' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}"
            )
        data = json.loads(Path(timings_path).read_text())
    finally:
        Path(timings_path).unlink(missing_ok=True)
    return PytestRun(wall_s=wall, tests=_tests(data))


def run_generated(project: GeneratedProject, *args: str) -> PytestRun:
    """One pytest process over the generated scenarios, with the suite's conftest and ini."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        timings_path = handle.name
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(ROOT / "pytest.ini"),
        "--rootdir",
        str(ROOT),
        *makefile_plugins(),
        "-p",
        "conftest",
        "-p",
        "bench.timing_plugin",
        "-p",
        "no:cacheprovider",
        "-q",
        *args,
        str(project.test_module),
    ]
    return _timed(command, _env(**{TIMINGS_ENV: timings_path}), timings_path)


def _tests(data: dict[str, Any]) -> list[ScenarioTime]:
    return [
        ScenarioTime(t["nodeid"], t["seconds"], t["worker"], tuple(t.get("markers", ())))
        for t in data["tests"]
    ]


def own_times(run: PytestRun, kind: str) -> list[float]:
    """Each scenario's own time, for the scenarios of one generated feature.

    Leaves out, per worker, the first scenario of each kind and the last test: their setup
    and teardown carry the session's fixtures (cluster start, migrations, dropping the
    database) and the first-use costs (imports, the first connection).
    """
    by_worker: dict[str, list[ScenarioTime]] = {}
    for test in run.tests:
        by_worker.setdefault(test.worker, []).append(test)
    kept: list[float] = []
    for tests in by_worker.values():
        seen: set[str | None] = set()
        for test in tests[:-1]:
            test_kind = kind_of(test.nodeid)
            if test_kind in seen and test_kind == kind:
                kept.append(test.seconds)
            seen.add(test_kind)
    return kept


def makefile_plugins() -> list[str]:
    """The acceptance run's plugin options, as the Makefile defines them (PLUGINS)."""
    done = subprocess.run(
        [*MAKE_PRINT, "--eval", "print-plugins: ; @echo $(PLUGINS)", "print-plugins"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return ["--disable-plugin-autoload", *done.stdout.split()]


def run_acceptance_cold(workers: str | None = None) -> PytestRun:
    """`make acceptance` from nothing: a new process, its own new PostgreSQL, every feature.

    `workers`: the run's -n option (e.g. "-n 0"); by default the Makefile's own choice.
    Each scenario's time comes from the timing plugin, added through PYTEST_ADDOPTS.
    """
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        timings_path = handle.name
    command = ["make", "--no-print-directory", "acceptance"]
    if workers is not None:
        command.append(f"WORKERS={workers}")
    # An empty TEST_DATABASE_URL also overrides one in .env: the run starts its own cluster.
    env = _env(
        TEST_DATABASE_URL="",
        PYTEST_ADDOPTS="-p bench.timing_plugin",
        **{TIMINGS_ENV: timings_path},
    )
    return _timed(command, env, timings_path)


def chosen_workers() -> str:
    """What `make acceptance` passes for the number of workers on this machine."""
    done = subprocess.run(
        [sys.executable, "-m", "harness.parallel_choice", "steps"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def time_embedded_postgres() -> tuple[float, float]:
    """Seconds to start and to stop (and remove) the suite's throwaway cluster."""
    started = time.perf_counter()
    cluster = start_cluster()
    up = time.perf_counter() - started
    started = time.perf_counter()
    cluster.stop()
    return up, time.perf_counter() - started
