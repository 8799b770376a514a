"""`python -m bench`: every measurement in one invocation, so the ratios are comparable.

Prints the table and writes bench/results.json. A benchmark, not a test: it fails only
when a measured run itself fails (its numbers would mean nothing), never on a number.
"""

import sys
import time
from typing import Any

from bench import mutation, report, tenancy
from bench.generated import generated_project
from bench.load import measure_load
from bench.runners import (
    BenchRunFailed,
    own_times,
    run_acceptance_cold,
    run_generated,
    time_embedded_postgres,
)

RUNS = 3
PER_SCENARIO = {"floor": 40, "savepoint": 40, "committed": 40}
SCALING_SCENARIOS = 120
# Growth runs without a database: 1000 database scenarios would cost minutes, and what
# grows with the count (collection, step lookup, reporting) is pytest and pytest-bdd's.
GROWTH_SIZES = (100, 1000)
LOAD_CLIENTS = 8
LOAD_PER_CLIENT = 100
LOAD_MAX_S = 15.0


def step(name: str) -> None:
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)


def cold_acceptance() -> dict[str, float]:
    step("cold acceptance runs and the embedded PostgreSQL")
    walls = [run_acceptance_cold() for _ in range(RUNS)]
    starts, stops = zip(*(time_embedded_postgres() for _ in range(RUNS)), strict=True)
    return {
        "wall_s": report.median(walls),
        "pg_start_s": report.median(list(starts)),
        "pg_stop_s": report.median(list(stops)),
    }


def per_scenario() -> dict[str, dict[str, float]]:
    step("per-scenario cost in each isolation mode")
    runs = []
    with generated_project(PER_SCENARIO) as project:
        runs = [run_generated(project) for _ in range(RUNS)]
    figures = {}
    for kind in PER_SCENARIO:
        times = [own_times(run, kind) for run in runs]
        figures[kind] = {
            "median_s": report.median([report.median(t) for t in times]),
            "p95_s": report.median([report.p95(t) for t in times]),
        }
    return figures


def scaling() -> dict[str, Any]:
    step("scaling, serial and -n 2")
    with generated_project({"savepoint": SCALING_SCENARIOS}) as project:
        serial = [run_generated(project).wall_s for _ in range(RUNS)]
        parallel = [run_generated(project, "-n", "2").wall_s for _ in range(RUNS)]
    serial_s, parallel_s = report.median(serial), report.median(parallel)
    return {
        "scenarios": SCALING_SCENARIOS,
        "serial_s": serial_s,
        "parallel_s": parallel_s,
        "ratio": serial_s / parallel_s,
    }


def growth() -> dict[str, Any]:
    step("growth, 100 and 1000 scenarios")
    figures: dict[str, Any] = {"sizes": list(GROWTH_SIZES), "mode": "no database"}
    for size in GROWTH_SIZES:
        with generated_project({"floor": size}) as project:
            runs = [run_generated(project) for _ in range(RUNS)]
        figures[str(size)] = {
            "wall_per_scenario_s": report.median([run.wall_s / size for run in runs]),
            "own_median_s": report.median([report.median(own_times(run, "floor")) for run in runs]),
        }
    return figures


def load() -> dict[str, Any]:
    step("the service under load")
    results = measure_load(("read", "write"), LOAD_CLIENTS, LOAD_PER_CLIENT, LOAD_MAX_S, RUNS)
    figures: dict[str, Any] = {"clients": LOAD_CLIENTS, "requests_per_client": LOAD_PER_CLIENT}
    for operation, runs in results.items():
        figures[operation] = {
            "rps": report.median([r.rps for r in runs]),
            "p50_s": report.median([r.percentile(50) for r in runs]),
            "p95_s": report.median([r.percentile(95) for r in runs]),
            "errors": sum(r.errors for r in runs),
        }
    return figures


def tenancy_modes() -> dict[str, Any]:
    step("rows and schemas side by side")
    return tenancy.compare(RUNS, LOAD_CLIENTS, LOAD_PER_CLIENT, LOAD_MAX_S)


def main() -> int:
    started = time.perf_counter()
    try:
        results: dict[str, Any] = {
            "machine": report.machine(),
            "runs": RUNS,
            "cold_acceptance": cold_acceptance(),
            "per_scenario": per_scenario(),
            "scaling": scaling(),
            "growth": growth(),
            "load": load(),
            "tenancy": tenancy_modes(),
        }
    except BenchRunFailed as failure:
        print(f"[bench] a measured run failed, no figures written:\n{failure}", file=sys.stderr)
        return 1
    # Read from `make mutation`'s last results, never run here (it takes most of an hour).
    results["mutation"] = mutation.summary()
    results["bench_wall_s"] = time.perf_counter() - started
    path = report.write(results)
    print(report.table(results))
    print(f"\n(bench took {results['bench_wall_s']:.0f} s; figures in {path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
