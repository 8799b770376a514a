"""Gates: undefined steps fail with a suggested definition; unused step definitions fail the run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from reporting.suggest import suggest_step_definition

if TYPE_CHECKING:
    from tests.reporting.conftest import RunProject

UNUSED = "conftest.py:*: @then('Alice is told the withdrawal is refused')"
PASSING_ONLY = ("-k", "not interest and not refused")


def test_undefined_step_is_listed_with_a_suggested_definition(run_project: RunProject) -> None:
    run = (
        run_project()
    )  # without --gherkin-terminal-reporter: the undefined-steps section is always shown

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.result.stdout.fnmatch_lines(
        [
            "*= undefined steps: 1 =*",
            "When the bank pays interest of 3 percent    (features/banking.feature:29)",
            '    @when(parsers.parse("the bank pays interest of {number:d} percent"))',
            "    def _(number: int) -> None:",
            "        raise NotImplementedError",
        ]
    )
    # pytest's own failure text (shown in the FAILURES section and in JUnit XML) has it too.
    run.result.stdout.fnmatch_lines(
        [
            "*StepDefinitionNotFoundError: Step definition is not found: *",
            "*Undefined step: When the bank pays interest of 3 percent (line 29 of *",
            "*Suggested step definition:*",
        ]
    )
    run.result.stdout.no_fnmatch_line("*Gherkin report*")


@pytest.mark.parametrize(
    ("step_type", "text", "flags", "expected"),
    [
        ("given", "the bank is open", {}, '@given("the bank is open")\ndef _() -> None:'),
        (
            "when",
            'Alice pays 30 euros to "Bob"',
            {},
            (
                "@when(parsers.parse('Alice pays {number:d} euros to \"{text}\"'))\n"
                "def _(number: int, text: str) -> None:"
            ),
        ),
        (
            "then",
            "Alice has <left> euros",
            {},
            '@then(parsers.parse("Alice has {left} euros"))\ndef _(left: str) -> None:',
        ),
        (
            "given",
            "the rates {per year}:",
            {"datatable": True},
            '@given("the rates {per year}:")\ndef _(datatable: list[list[str]]) -> None:',
        ),
        (
            "then",
            "the letter for 2 people reads:",
            {"docstring": True},
            (
                '@then(parsers.parse("the letter for {number:d} people reads:"))\n'
                "def _(number: int, docstring: str) -> None:"
            ),
        ),
    ],
)
def test_suggested_step_definition(
    step_type: str, text: str, flags: dict[str, bool], expected: str
) -> None:
    stub = suggest_step_definition(step_type, text, **flags)
    assert stub == expected + "\n    raise NotImplementedError"
    compile(stub, "<stub>", "exec")


def test_unused_step_gate_fails_and_names_the_unused_step(run_project: RunProject) -> None:
    run = run_project("--bdd-unused-steps-gate", "--collect-only", unused_step=True)

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.result.stdout.fnmatch_lines(["*= unused step definitions: 1 =*", UNUSED])


def test_unused_step_gate_fails_under_xdist_even_when_all_scenarios_pass(
    run_project: RunProject,
) -> None:
    run = run_project("--bdd-unused-steps-gate", "-n", "2", *PASSING_ONLY, unused_step=True)

    run.result.assert_outcomes(passed=5)  # xdist does not report deselected
    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.result.stdout.fnmatch_lines(["*= unused step definitions: 1 =*", UNUSED])


@pytest.mark.parametrize("mode", [("--collect-only",), ("-n", "2"), ("-m", "smoke")])
def test_unused_step_gate_passes_when_every_step_is_used(
    run_project: RunProject, mode: tuple[str, ...]
) -> None:
    # ``-m smoke`` deselects most scenarios: the gate still looks at every collected scenario.
    run = run_project("--bdd-unused-steps-gate", *PASSING_ONLY, *mode)

    assert run.result.ret == pytest.ExitCode.OK
    run.result.stdout.no_fnmatch_line("*unused step definitions*")


def test_unused_step_gate_counts_each_pattern_of_a_stacked_step(run_project: RunProject) -> None:
    run = run_project("--bdd-unused-steps-gate", "--collect-only", stacked_alias=True)

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.result.stdout.fnmatch_lines(
        ["*= unused step definitions: 1 =*", "conftest.py:*: @then('the statement says:')"]
    )


@pytest.mark.parametrize("mode", [("--collect-only",), ("-n", "2", *PASSING_ONLY)])
def test_ambiguous_step_gate_names_each_step_and_every_definition_it_matches(
    run_project: RunProject, mode: tuple[str, ...]
) -> None:
    run = run_project("--bdd-ambiguous-steps-gate", *mode, ambiguous_step=True)

    assert run.result.ret == pytest.ExitCode.TESTS_FAILED
    run.result.stdout.fnmatch_lines(
        [
            "*= ambiguous steps: *",
            "When Alice deposits 50 euros    matches 2:",
            "    conftest.py:*: @when('Alice deposits {amount:d} euros')",
            "    conftest.py:*: @when('Alice {verb} {amount:d} euros')",
        ]
    )


def test_ambiguous_step_gate_passes_when_each_step_has_one_definition(
    run_project: RunProject,
) -> None:
    run = run_project("--bdd-ambiguous-steps-gate", "--collect-only")

    assert run.result.ret == pytest.ExitCode.OK
    run.result.stdout.no_fnmatch_line("*ambiguous steps*")
