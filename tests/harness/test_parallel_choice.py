"""`make acceptance` runs serial or with workers by what is predicted faster."""

from pathlib import Path

from harness.parallel_choice import Suite, choose_workers, scenario_count


def test_a_small_suite_runs_serial_a_worker_start_costs_more_than_it_saves() -> None:
    assert choose_workers(Suite([0.02] * 50), cores=2) == 0


def test_a_large_suite_on_two_cores_gets_two_workers() -> None:
    assert choose_workers(Suite([0.05] * 600), cores=2) == 2


def test_one_core_always_runs_serial() -> None:
    assert choose_workers(Suite([0.05] * 5000), cores=1) == 0


def test_a_suite_that_is_mostly_one_long_scenario_runs_serial() -> None:
    # The long scenario bounds the parallel run: workers save nothing but pay their start.
    assert choose_workers(Suite([8.0] + [0.02] * 40), cores=4) == 0


def test_four_cores_and_a_large_suite_get_four_workers() -> None:
    assert choose_workers(Suite([0.05] * 600), cores=4) == 4


def test_every_examples_row_is_a_scenario(tmp_path: Path) -> None:
    (tmp_path / "a.feature").write_text(
        "Feature: A\n"
        "  Scenario: One\n    Given x\n\n"
        "  Scenario Outline: Rows <n>\n    Given <n>\n\n"
        "    Examples:\n      | n |\n      | 1 |\n      | 2 |\n      | 3 |\n\n"
        "  Scenario: Two\n    Given a table\n      | a | b |\n      | 1 | 2 |\n"
    )
    assert scenario_count(tmp_path) == 5
