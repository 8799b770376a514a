"""Fixtures for the reporter's tests, and the small pytest-bdd project they run.

The project fails on purpose (one failing step, one undefined step): these scenarios live only
here, never in the product's features/ folder.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:  # ``pythonpath = .`` in pytest.ini does this in the project
    sys.path.insert(0, str(REPO_ROOT))
RUN_TIMEOUT = 120  # seconds, per pytest run of the fixture project

FEATURE = '''\
@banking
Feature: Banking
  Customers keep their money in accounts.

  Background:
    Given the bank is open

  @smoke
  Scenario: Deposit money
    Given Alice has an account with 100 euros
    When Alice deposits 50 euros
    Then Alice has 150 euros

  @statements
  Scenario: Statement lists the transactions
    Given Alice has these transactions:
      | date       | amount |
      | 2024-01-01 | 100    |
      | 2024-01-02 | -30    |
    Then the statement reads:
      """text
      2024-01-01 100
      2024-01-02 -30
      """

  @interest
  Scenario: Interest is paid once a year
    Given Alice has an account with 100 euros
    When the bank pays interest of 3 percent
    Then Alice has 103 euros

  @withdrawal
  Rule: Withdrawals need enough money

    Scenario Outline: Withdraw money
      Given Alice has an account with <start> euros
      When Alice withdraws <amount> euros
      Then Alice has <left> euros

      @fast
      Examples: enough money
        | start | amount | left |
        | 100   | 30     | 70   |
        | 50    | 50     | 0    |

    @broken
    Scenario: Withdrawing more than the balance is refused
      Given Alice has an account with 20 euros
      When Alice withdraws 50 euros
      Then Alice has 20 euros
'''

STEPS = """\
from __future__ import annotations

from pytest_bdd import given, parsers, then, when


@given("the bank is open", target_fixture="bank")
def _() -> dict[str, int]:
    return {}


@given(parsers.parse("Alice has an account with {amount:d} euros"))
def _(bank: dict[str, int], amount: int) -> None:
    bank["alice"] = amount


@given("Alice has these transactions:")
def _(bank: dict[str, int], datatable: list[list[str]]) -> None:
    bank["lines"] = [" ".join(row) for row in datatable[1:]]  # type: ignore[assignment]


@when(parsers.parse("Alice deposits {amount:d} euros"))
def _(bank: dict[str, int], amount: int) -> None:
    bank["alice"] += amount


@when(parsers.parse("Alice withdraws {amount:d} euros"))
def _(bank: dict[str, int], amount: int) -> None:
    bank["alice"] -= amount  # bug on purpose: no check of the balance


@then(parsers.parse("Alice has {amount:d} euros"))
def _(bank: dict[str, int], amount: int) -> None:
    assert bank["alice"] == amount, f"expected {amount} euros, got {bank['alice']}"


@then("the statement reads:")
def _(bank: dict[str, int], docstring: str) -> None:
    assert "\\n".join(bank["lines"]) == docstring  # type: ignore[arg-type]
"""

UNUSED_STEP = """

@then("Alice is told the withdrawal is refused")
def _() -> None:
    raise AssertionError("never used")
"""

# Matches "Alice deposits 50 euros" and "Alice withdraws 30 euros": each step then matches two.
AMBIGUOUS_STEP = """

@when(parsers.parse("Alice {verb} {amount:d} euros"))
def _(bank: dict[str, int], verb: str, amount: int) -> None:
    raise AssertionError("never picked on purpose")
"""

# A second pattern stacked on a used step function, which no scenario uses.
STACKED_ALIAS = (
    '@then("the statement reads:")',
    '@then("the statement says:")\n@then("the statement reads:")',
)

TEST_MODULE = """\
from pytest_bdd import scenarios

scenarios("banking.feature")
"""

# A plain (non-Gherkin) test in the fixture project: the reports must leave it out.
PLAIN_TEST = """\
def test_plain() -> None:
    assert "bank".title() == "Bank"
"""

INI = """\
[pytest]
bdd_features_base_dir = features
markers =
    banking
    smoke
    statements
    interest
    withdrawal
    fast
    broken
"""


def write_project(
    pytester: pytest.Pytester,
    *,
    unused_step: bool = False,
    ambiguous_step: bool = False,
    stacked_alias: bool = False,
) -> None:
    pytester.makefile(".feature", **{"features/banking": FEATURE})
    steps = STEPS.replace(*STACKED_ALIAS) if stacked_alias else STEPS
    steps += (UNUSED_STEP if unused_step else "") + (AMBIGUOUS_STEP if ambiguous_step else "")
    pytester.makeconftest(steps)
    pytester.makepyfile(test_banking=TEST_MODULE, test_plain=PLAIN_TEST)
    pytester.makeini(textwrap.dedent(INI))


@dataclass
class ProjectRun:
    result: pytest.RunResult
    report_dir: Path

    @property
    def stdout(self) -> str:
        return self.result.stdout.str()

    def cucumber(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads((self.report_dir / "cucumber.json").read_text())
        return data

    def html(self) -> str:
        return (self.report_dir / "report.html").read_text(encoding="utf-8")

    def junit(self) -> ET.Element:
        return ET.parse(self.report_dir / "junit.xml").getroot()


RunProject = Callable[..., ProjectRun]


@pytest.fixture
def run_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> RunProject:
    """Write the fixture project and run pytest on it in a subprocess with all reports on."""
    path = os.environ.get("PYTHONPATH", "")
    # The subprocess (and its xdist workers) import ``reporting`` from this checkout.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(REPO_ROOT), path) if p))

    def run(*args: str, **variant: bool) -> ProjectRun:
        write_project(pytester, **variant)
        report_dir = pytester.path / "reports"
        result = pytester.runpytest_subprocess(
            "-p",
            "reporting.plugin",
            "-p",
            "no:cacheprovider",
            f"--bdd-report-dir={report_dir}",
            f"--junitxml={report_dir / 'junit.xml'}",
            *args,
            timeout=RUN_TIMEOUT,
        )
        return ProjectRun(result=result, report_dir=report_dir)

    return run
