"""The reports of a run: terminal, cucumber JSON, JUnit XML and HTML, serial and under xdist."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.reporting.conftest import ProjectRun, RunProject

#: Scenario names and their status, in report order (file order, outline rows in order).
EXPECTED = [
    ("Deposit money", "passed"),
    ("Statement lists the transactions", "passed"),
    ("Interest is paid once a year", "undefined"),
    ("Withdraw money", "passed"),
    ("Withdraw money", "passed"),
    ("Withdrawing more than the balance is refused", "failed"),
]
FAILING_STEP = "Alice has 20 euros"
FAILING_ERROR = "expected 20 euros, got -30"
UNDEFINED_STEP = "the bank pays interest of 3 percent"
UNDEFINED_STUB = '@when(parsers.parse("the bank pays interest of {number:d} percent"))'

MODES = {"serial": (), "xdist": ("-n", "2")}


def _elements(run: ProjectRun) -> list[dict[str, Any]]:
    [feature] = run.cucumber()
    elements: list[dict[str, Any]] = feature["elements"]
    return elements


def _element(run: ProjectRun, name: str) -> dict[str, Any]:
    return next(e for e in _elements(run) if e["name"] == name)


def _step(element: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in element["steps"] if s["name"] == name)


def _gherkin_section(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "Gherkin report" in line)
    end = next(i for i, line in enumerate(lines) if line.startswith("Total:"))
    return [re.sub(r", \d+\.\d+s\]", "]", line) for line in lines[start : end + 1]]


@pytest.mark.parametrize("mode", MODES)
def test_every_report_marks_the_failing_step_and_the_undefined_step(
    run_project: RunProject, mode: str
) -> None:
    run = run_project("--gherkin-terminal-reporter", *MODES[mode])

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    # Terminal: the Gherkin tree with the failing step and its error, and the undefined step.
    run.result.stdout.fnmatch_lines(
        [
            "Feature: Banking    (features/banking.feature)",
            "  Rule: Withdrawals need enough money",
            "    Scenario: Withdrawing more than the balance is refused  [[]FAILED*",
            f"      FAILED    Then {FAILING_STEP}",
            f"                >  AssertionError: {FAILING_ERROR}",
        ]
    )
    run.result.stdout.fnmatch_lines(
        [
            "  Scenario: Interest is paid once a year  [[]UNDEFINED*",
            f"    UNDEFINED When {UNDEFINED_STEP}",
            "              >  Suggested step definition:",
            f"              >    {UNDEFINED_STUB}",
        ]
    )
    run.result.stdout.fnmatch_lines(["  Summary: 6 scenarios (4 passed, 1 failed, 1 undefined)*"])
    run.result.stdout.fnmatch_lines([f"*BDD reports written to {run.report_dir}*"])

    # Cucumber JSON.
    failing = _step(_element(run, EXPECTED[-1][0]), FAILING_STEP)
    assert failing["result"]["status"] == "failed"
    assert FAILING_ERROR in failing["result"]["error_message"]
    undefined = _step(_element(run, EXPECTED[2][0]), UNDEFINED_STEP)
    assert undefined["result"]["status"] == "undefined"
    assert UNDEFINED_STUB in undefined["result"]["error_message"]

    # JUnit XML: pytest's failure text names the failing step and carries the stub.
    cases = {case.get("name"): case for case in run.junit().iter("testcase")}
    failure = cases["test_withdrawing_more_than_the_balance_is_refused"].find("failure")
    assert failure is not None and failure.text is not None
    assert f"Failing step: Then {FAILING_STEP}" in failure.text
    assert FAILING_ERROR in failure.text
    undefined_failure = cases["test_interest_is_paid_once_a_year"].find("failure")
    assert undefined_failure is not None and undefined_failure.text is not None
    assert f"Undefined step: When {UNDEFINED_STEP}" in undefined_failure.text
    assert UNDEFINED_STUB in undefined_failure.text

    # HTML.
    html = run.html()
    assert re.search(
        r'<li class="step failed"[^>]*>.*?' + re.escape(FAILING_STEP) + r".*?"
        r'<pre class="error">AssertionError: ' + re.escape(FAILING_ERROR),
        html,
    )
    assert re.search(
        r'<li class="step undefined"[^>]*>.*?' + re.escape(UNDEFINED_STEP) + r".*?"
        r'<pre class="suggestion">' + re.escape(UNDEFINED_STUB.replace('"', "&quot;")),
        html,
    )


def test_cucumber_json_has_the_standard_shape(run_project: RunProject) -> None:
    run = run_project()

    [feature] = run.cucumber()
    assert {k: feature[k] for k in ("uri", "id", "name", "keyword", "line")} == {
        "uri": "features/banking.feature",
        "id": "banking",
        "name": "Banking",
        "keyword": "Feature",
        "line": 2,
    }
    assert feature["tags"] == [{"name": "@banking", "line": 1}]
    assert [(e["name"], e["type"]) for e in feature["elements"]] == [
        (name, "scenario") for name, _ in EXPECTED
    ]
    for element in feature["elements"]:
        assert set(element) >= {"keyword", "id", "name", "line", "description", "tags", "steps"}
        for step in element["steps"]:
            assert set(step) >= {"keyword", "name", "line", "match", "result"}
            assert step["keyword"] in {"Given ", "When ", "Then "}
            assert isinstance(step["result"]["duration"], int)
            assert step["result"]["status"] in {"passed", "failed", "skipped", "undefined"}

    deposit = _element(run, "Deposit money")
    assert deposit["tags"] == [{"name": "@banking", "line": 1}, {"name": "@smoke", "line": 8}]
    assert deposit["steps"][0]["name"] == "the bank is open"  # the Background step
    assert deposit["steps"][0]["result"]["duration"] > 0  # nanoseconds

    statement = _element(run, "Statement lists the transactions")
    table = _step(statement, "Alice has these transactions:")
    assert table["rows"] == [
        {"cells": ["date", "amount"]},
        {"cells": ["2024-01-01", "100"]},
        {"cells": ["2024-01-02", "-30"]},
    ]
    doc = _step(statement, "the statement reads:")
    assert doc["doc_string"] == {
        "value": "2024-01-01 100\n2024-01-02 -30",
        "content_type": "text",
        "line": 21,
    }

    outline = [e for e in feature["elements"] if e["name"] == "Withdraw money"]
    assert [e["keyword"] for e in outline] == ["Scenario Outline"] * 2
    assert [e["line"] for e in outline] == [43, 44]  # the Examples rows
    assert [e["id"] for e in outline] == [
        "banking;withdrawals-need-enough-money;withdraw-money;enough-money;1",
        "banking;withdrawals-need-enough-money;withdraw-money;enough-money;2",
    ]
    assert {"name": "@fast", "line": 40} in outline[0]["tags"]
    assert {"name": "@withdrawal", "line": 32} in outline[0]["tags"]
    assert [s["name"] for s in outline[1]["steps"][1:]] == [
        "Alice has an account with 50 euros",
        "Alice withdraws 50 euros",
        "Alice has 0 euros",
    ]

    interest = _element(run, "Interest is paid once a year")
    assert [s["result"]["status"] for s in interest["steps"]] == [
        "passed",
        "passed",
        "undefined",
        "skipped",
    ]
    refused = _element(run, EXPECTED[-1][0])
    assert [s["result"]["status"] for s in refused["steps"]] == ["passed"] * 3 + ["failed"]
    assert "error_message" not in refused["steps"][0]["result"]


def _normalize(value: object) -> object:
    if isinstance(value, dict):
        return {
            k: _normalize(v) for k, v in value.items() if k not in {"duration", "error_message"}
        }
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    return value


def test_serial_and_parallel_runs_report_the_same(run_project: RunProject) -> None:
    serial = run_project("--gherkin-terminal-reporter")
    serial_json, serial_terminal, serial_html = (
        serial.cucumber(),
        _gherkin_section(serial.stdout),
        _html_outline(serial.html()),
    )
    parallel = run_project("--gherkin-terminal-reporter", "-n", "2")

    assert "2 workers" in parallel.stdout
    assert _normalize(parallel.cucumber()) == _normalize(serial_json)
    assert _gherkin_section(parallel.stdout) == serial_terminal
    assert _html_outline(parallel.html()) == serial_html
    assert [(e["name"], _status(e)) for e in _elements(parallel)] == EXPECTED


def _status(element: dict[str, Any]) -> str:
    statuses = [s["result"]["status"] for s in element["steps"]]
    for status in ("undefined", "failed", "skipped"):
        if status in statuses and (status != "skipped" or "passed" not in statuses):
            return status
    return "passed"


def _html_outline(html: str) -> list[tuple[str, str]]:
    """(data-status, text) of every scenario and step element, durations removed."""
    found = re.findall(r'<(?:article|li) class="(?:scenario|step) [^"]*" data-status="(\w+)"', html)
    texts = re.findall(r'<span class="text">([^<]*)</span>', html)
    return list(zip(found, texts + [""] * (len(found) - len(texts)), strict=True))


@pytest.mark.parametrize("mode", MODES)
def test_the_gherkin_terminal_reporter_option_prints_the_product_owners_view_at_any_verbosity(
    run_project: RunProject, mode: str
) -> None:
    # pytest-bdd's own reporter would print dots here (no -v), and refuse xdist.
    run = run_project("--gherkin-terminal-reporter", *MODES[mode])

    run.result.stdout.fnmatch_lines(
        [
            "*= Gherkin report =*",
            "Feature: Banking    (features/banking.feature)",
            "  Scenario: Deposit money  [[]passed*  @banking @smoke",
            "    passed    Given the bank is open",
            "    passed    When Alice deposits 50 euros",
            "  Summary: 6 scenarios (4 passed, 1 failed, 1 undefined)*",
            "Total: 6 scenarios (4 passed, 1 failed, 1 undefined)",
            "       * steps (*passed, 1 failed, 1 undefined*)",
            "       0m*s",
        ]
    )


def test_long_steps_wrap_under_their_text_on_a_narrow_terminal(
    run_project: RunProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "44")
    run = run_project("--gherkin-terminal-reporter")

    run.result.stdout.fnmatch_lines(
        [
            "    Scenario Outline: Withdraw money  [[]passed*",
            "      passed    Given Alice has an account",
            "                      with 100 euros",
            "      FAILED    Then Alice has 20 euros",
        ]
    )


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [(("--color=yes",), {}, True), (("--color=auto",), {"NO_COLOR": "1"}, False)],
    ids=["color-yes", "no-color"],
)
def test_colour_follows_the_color_option_and_no_color(
    run_project: RunProject,
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    env: dict[str, str],
    coloured: bool,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    run = run_project("--gherkin-terminal-reporter", *flags)

    view = run.stdout[run.stdout.index("Gherkin report") :]
    assert ("\x1b[" in view) is coloured
