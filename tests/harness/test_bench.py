"""`make bench` is not run by CI: these keep its moving parts from rotting unnoticed."""

from bench.generated import generated_project, kind_of
from bench.report import p95
from bench.runners import PytestRun, ScenarioTime, own_times, run_generated


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
