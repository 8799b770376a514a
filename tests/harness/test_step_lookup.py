"""The indexed step lookup (harness/step_lookup.py) picks what pytest-bdd's own would.

For every step of every scenario of the real features, and for a small project with the
cases where the order matters: two definitions of one text (ambiguous), one function under
two patterns (stacked), a module's own definition over a conftest's (the closer one wins),
a `@step` definition (any type), one text for two step types, steps seen from two modules.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ["-p", "no:cacheprovider", "-p", "tests.harness.step_lookup_probe"]


def _compared(output: str) -> tuple[int, int]:
    found = re.search(r"STEP-LOOKUP compared=(\d+) differences=(\d+)", output)
    assert found, output[-3000:]
    return int(found[1]), int(found[2])


def test_every_step_of_the_features_finds_the_definition_pytest_bdd_finds() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "steps", "--collect-only", "-q", "-s", *PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    compared, differences = _compared(done.stdout)
    assert compared > 1000, done.stdout[-3000:]  # every step of ~240 scenarios
    assert differences == 0, done.stdout[-3000:]


CONFTEST = """
from pytest_bdd import given, step, then, when

@given("a shared start")
def shared_start(): pass

@given("the closer one wins")
def conftest_version(): pass

@step("any kind of step")
def any_kind(): pass
"""

MODULE_ONE = """
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("one.feature")

@given("the closer one wins")
def module_version(): pass

@when("two say the same")
def first_of_two(): pass

@when(parsers.parse("two say the {word}"))
def second_of_two(word): pass

@then("it is signed in")
@then(parsers.parse("{who} is signed in"))
def signed_in(who="it"): pass
"""

MODULE_TWO = """
from pytest_bdd import given, scenarios, then

scenarios("two.feature")

@then("it is signed in")
def only_here(): pass

@given("it is signed in")
def same_text_another_type(): pass
"""

FEATURE = """
Feature: Lookups
  Scenario Outline: Every kind of lookup
    Given a shared start
    And the closer one wins
    When two say the same
    And any kind of step
    Then <who> is signed in
    And any kind of step

    Examples:
      | who   |
      | it    |
      | Alice |
"""


def test_ambiguous_stacked_and_overridden_steps_find_the_same_definitions(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_one=MODULE_ONE, test_two=MODULE_TWO)
    pytester.makefile(".feature", one=FEATURE, two=FEATURE)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the probe and the index come from here
    result = pytester.runpytest_subprocess(
        "--collect-only", "-q", "-s", "-p", "harness.step_lookup", *PROBE
    )
    compared, differences = _compared(result.stdout.str())
    assert compared == 2 * 2 * 6, result.stdout.str()  # two modules, two rows, six steps
    assert differences == 0, result.stdout.str()
