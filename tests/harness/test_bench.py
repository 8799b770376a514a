"""`make bench` is not run by CI: these keep its moving parts from rotting unnoticed."""

from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.generated import generated_project, kind_of
from bench.load import _libpq_dsn, capture_statements, drive_raw
from bench.report import p95, table
from bench.runners import PytestRun, ScenarioTime, makefile_plugins, own_times, run_generated
from harness import provision


def test_a_generated_feature_runs_with_the_suites_conftest_and_is_timed_per_scenario() -> None:
    with generated_project({"floor": 4}) as project:
        run = run_generated(project)
    assert [kind_of(t.nodeid) for t in run.tests] == ["floor"] * 4
    assert all(t.seconds > 0 for t in run.tests)
    assert project.root.exists() is False, "the generated folder is removed afterwards"


def test_own_times_leave_out_each_workers_warm_up_and_last_test() -> None:
    def test(kind: str, n: int, worker: str, seconds: float) -> ScenarioTime:
        return ScenarioTime(f"::test_x_{kind}_case_{n}", seconds, worker)

    run = PytestRun(
        wall_s=1.0,
        tests=[
            test("floor", 1, "gw0", 9.0),  # first floor scenario on gw0: warm-up
            test("savepoint", 1, "gw0", 9.0),  # first savepoint scenario on gw0: warm-up
            test("savepoint", 2, "gw0", 0.2),
            test("savepoint", 3, "gw0", 0.3),
            test("savepoint", 4, "gw0", 9.0),  # gw0's last test: the session's teardown
            test("savepoint", 5, "gw1", 9.0),
            test("savepoint", 6, "gw1", 0.4),
            test("floor", 2, "gw1", 9.0),
        ],
    )
    assert own_times(run, "savepoint") == [0.2, 0.3, 0.4]
    assert own_times(run, "floor") == []


def test_p95_is_near_the_top_of_the_values() -> None:
    assert p95([float(n) for n in range(1, 101)]) == 95.05


def test_the_two_tenancy_modes_sit_side_by_side_in_the_table() -> None:
    from bench.report import tenancy_rows

    figures = {
        "scenario_median_s": 0.04,
        "tenant_creation_median_s": 0.002,
        "read_rps": 400.0,
        "read_p95_s": 0.03,
    }
    schemas = {**figures, "scenario_median_s": 0.2, "tenant_creation_median_s": 0.06}
    rows = dict(tenancy_rows({"rows": figures, "schemas": schemas}))
    assert rows["creating a tenant (schemas: role, schema, migrations): rows | schemas"] == (
        "2.0 ms | 60.0 ms"
    ), rows
    assert tenancy_rows(None) == []


def test_the_bench_runs_pytest_with_the_makefiles_plugin_list() -> None:
    plugins = makefile_plugins()
    assert plugins[0] == "--disable-plugin-autoload"
    assert "pytest_bdd.plugin" in plugins and "xdist.plugin" in plugins


def test_the_raw_loop_replays_the_statements_a_request_sent(
    seeder_engine: Engine, test_database: provision.TestDatabase
) -> None:
    def request() -> None:
        with Session(seeder_engine) as session:
            session.execute(text("SELECT count(*) FROM tenants WHERE id > :n"), {"n": 0})
            session.commit()

    statements = capture_statements(seeder_engine, request)
    assert [sql for sql, _ in statements] == [
        "SELECT count(*) FROM tenants WHERE id > %(n)s",
        "COMMIT",
    ]
    result = drive_raw(_libpq_dsn(test_database.seeder_url), statements, 2, 5, 30.0)
    assert result.requests == 10 and result.errors == 0


def _results(acceptance_s: float, over_1s: list[dict[str, Any]]) -> dict[str, Any]:
    rates = {"rps": 100.0, "p50_s": 0.01, "p95_s": 0.02, "errors": 0}
    own = {"median_s": 0.008, "p95_s": 0.02}
    return {
        "machine": {
            "cpus": 2,
            "cpu_model": "x",
            "memory_gib": 4,
            "python": "3.11",
            "postgresql": "15.2",
            "load_average_1m": 0.1,
            "date": "today",
        },
        "runs": 3,
        "cold_acceptance": {
            "chosen": "-n 2",
            "wall_s": acceptance_s,
            "serial_s": 12.0,
            "n2_s": 9.0,
            "scenarios": 240,
            "pg_start_s": 1.0,
            "pg_stop_s": 0.2,
            "concurrency_failures": 30,
            "over_1s": over_1s,
        },
        "per_scenario": {"floor": own, "savepoint": own, "committed": own},
        "scaling": {"scenarios": 120, "serial_s": 5.0, "parallel_s": 4.0, "ratio": 1.25},
        "growth": {
            "sizes": [100, 1000],
            "100": {"wall_per_scenario_s": 0.01, "own_median_s": 0.002},
            "1000": {"wall_per_scenario_s": 0.005, "own_median_s": 0.0021},
        },
        "load": {
            "clients": 8,
            "read": rates,
            "raw_read": {**rates, "rps": 300.0},
            "write": rates,
            "read_vs_raw": 1 / 3,
            "read_statements": ["SELECT 1"],
        },
    }


def test_the_table_sets_each_figure_of_the_issue_beside_its_target() -> None:
    met = table(_results(9.0, []))
    assert "**no**" not in met, met
    for target in ("<= 10 s", "<= 10 ms", "none over 1 s", "<= 1.1x", ">= 25%"):
        assert target in met, target
    assert "PostgreSQL 15.2" in met and "2 CPUs" in met
    slow = [{"nodeid": "steps/x.py::test_a_slow_race", "seconds": 1.4}]
    missed = table(_results(11.0, slow))
    assert missed.count("**no**") == 2, missed
    assert "test_a_slow_race: 1.40 s" in missed
