"""A small pytest-bdd project for the reporter's tests.

It fails on purpose (one failing step, one undefined step): these scenarios live only here,
never in the product's features/ folder.
"""

from __future__ import annotations

import textwrap

import pytest

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

  @wip
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

STEPS = '''\
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
'''

UNUSED_STEP = '''

@then("Alice is told the withdrawal is refused")
def _() -> None:
    raise AssertionError("never used")
'''

TEST_MODULE = """\
from pytest_bdd import scenarios

scenarios("banking.feature")
"""

PLAIN_TEST = """\
def test_plain() -> None:
    assert True
"""

INI = """\
[pytest]
bdd_features_base_dir = features
markers =
    banking
    smoke
    statements
    wip
    withdrawal
    fast
    broken
"""

#: Scenario names and their expected status, in report order (file order, outline rows in order).
EXPECTED = [
    ("Deposit money", "passed"),
    ("Statement lists the transactions", "passed"),
    ("Interest is paid once a year", "undefined"),
    ("Withdraw money", "passed"),
    ("Withdraw money", "passed"),
    ("Withdrawing more than the balance is refused", "failed"),
]
UNDEFINED_TEXT = "the bank pays interest of 3 percent"
UNDEFINED_STUB = '@when(parsers.parse("the bank pays interest of {number:d} percent"))'
FAILING_STEP = "Alice has 20 euros"
FAILING_ERROR = "expected 20 euros, got -30"


def write_project(pytester: pytest.Pytester, *, unused_step: bool = False) -> None:
    pytester.makefile(".feature", **{"features/banking": FEATURE})
    pytester.makeconftest(STEPS + (UNUSED_STEP if unused_step else ""))
    pytester.makepyfile(test_banking=TEST_MODULE, test_plain=PLAIN_TEST)
    pytester.makeini(textwrap.dedent(INI))
