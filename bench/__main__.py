"""`python -m bench`: every measurement in one invocation, so the ratios are comparable.

Prints the table and writes bench/results.json. A benchmark, not a test: it fails only
when a measured run itself fails (its numbers would mean nothing), never on a number.
"""

import os
import sys
import time
from typing import Any

from bench import mutation, report, tenancy
from bench.generated import generated_project
from bench.load import RAW_READ, measure_load
from bench.runners import (
    BenchRunFailed,
    PytestRun,
    chosen_workers,
    own_times,
    run_acceptance_cold,
    run_generated,
    time_embedded_postgres,
)

# BENCH_RUNS=1 for a quick look; the figures for the README are medians of 3.
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
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


# The scenarios the "none over 1 s" target is about: the features' tags.
SLOW_BY_DESIGN = ("concurrency", "failures")


def cold_acceptance() -> dict[str, Any]:
    """`make acceptance` as it chooses, then serial and `-n 2`, alternating run by run."""
    step("cold acceptance runs (as chosen, serial, -n 2) and the embedded PostgreSQL")
    chosen = chosen_workers()
    runs: dict[str, list[PytestRun]] = {"chosen": [], "serial": [], "n2": []}
    for _ in range(RUNS):
        runs["chosen"].append(run_acceptance_cold())
        runs["serial"].append(run_acceptance_cold("-n 0"))
        runs["n2"].append(run_acceptance_cold("-n 2"))
    starts, stops = zip(*(time_embedded_postgres() for _ in range(RUNS)), strict=True)
    walls = {mode: report.median([r.wall_s for r in rs]) for mode, rs in runs.items()}
    # Each scenario's own time, its median over the serial runs (no worker shares its core).
    per_test: dict[str, list[float]] = {}
    markers: dict[str, tuple[str, ...]] = {}
    for run in runs["serial"]:
        for test in run.tests:
            per_test.setdefault(test.nodeid, []).append(test.seconds)
            markers[test.nodeid] = test.markers
    own = {nodeid: report.median(times) for nodeid, times in per_test.items()}
    slow_kind = [n for n in own if set(markers[n]) & set(SLOW_BY_DESIGN)]
    over_1s = sorted((n for n in slow_kind if own[n] > 1.0), key=lambda n: -own[n])
    return {
        "chosen": chosen,
        "wall_s": walls["chosen"],
        "serial_s": walls["serial"],
        "n2_s": walls["n2"],
        "scenarios": len(own),
        "pg_start_s": report.median(list(starts)),
        "pg_stop_s": report.median(list(stops)),
        "concurrency_failures": len(slow_kind),
        "over_1s": [{"nodeid": n, "seconds": own[n]} for n in over_1s],
        "slowest": [
            {"nodeid": n, "seconds": own[n]} for n in sorted(own, key=lambda n: -own[n])[:10]
        ],
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
    step("the service under load, and a raw driver loop over the same statements")
    results, statements = measure_load(
        ("read", "write"), LOAD_CLIENTS, LOAD_PER_CLIENT, LOAD_MAX_S, RUNS
    )
    figures: dict[str, Any] = {"clients": LOAD_CLIENTS, "requests_per_client": LOAD_PER_CLIENT}
    for operation, runs in results.items():
        figures[operation] = {
            "rps": report.median([r.rps for r in runs]),
            "p50_s": report.median([r.percentile(50) for r in runs]),
            "p95_s": report.median([r.percentile(95) for r in runs]),
            "errors": sum(r.errors for r in runs),
        }
    # Paired run by run (they alternate), so both sides saw the same machine.
    ratios = [
        read.rps / raw.rps for read, raw in zip(results["read"], results[RAW_READ], strict=True)
    ]
    figures["read_vs_raw"] = report.median(ratios)
    figures["read_statements"] = [sql for sql, _ in statements]
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
