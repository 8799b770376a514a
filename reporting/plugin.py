"""pytest plugin: ``-p reporting.plugin``.

Options:
  --bdd-report-dir=DIR     write DIR/cucumber.json and DIR/report.html, print DIR at the end;
                           pass --junitxml=DIR/junit.xml for JUnit.
  --gherkin-terminal-reporter  (pytest-bdd's option, taken over) print every feature, rule,
                           scenario and step with its outcome at the end of the run, the same
                           at any verbosity, serial or under pytest-xdist.
  --bdd-unused-steps-gate  fail the run when no collected scenario uses a step definition.
  --bdd-ambiguous-steps-gate  fail the run when a step's text matches more than one definition.

Undefined steps are always listed at the end with a suggested step definition, and the
pytest failure of the scenario carries the same suggestion (so JUnit XML shows it too).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from .capture import ScenarioCapture
from .collector import ReportCollector
from .cucumber import write_cucumber_json
from .html_report import write_html
from .run_info import run_info
from .step_audit import AmbiguousStep, StepAudit, StepDefinition, audit_steps
from .terminal import write_terminal_report, write_undefined_steps

AUDIT_KEY = "bdd_step_audit"
GHERKIN_VIEW = pytest.StashKey[bool]()
GATES = ("bdd_unused_steps_gate", "bdd_ambiguous_steps_gate")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bdd-reporting", "Gherkin reports (reporting.plugin)")
    group.addoption(
        "--bdd-report-dir",
        metavar="DIR",
        default=None,
        help="write DIR/cucumber.json and DIR/report.html (living documentation).",
    )
    group.addoption(
        "--bdd-unused-steps-gate",
        action="store_true",
        default=False,
        help="fail the run if a step definition is not used by any collected scenario.",
    )
    group.addoption(
        "--bdd-ambiguous-steps-gate",
        action="store_true",
        default=False,
        help="fail the run if the text of a step matches more than one step definition.",
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _gated(config: pytest.Config) -> bool:
    return any(config.getoption(gate) for gate in GATES)


def _audit_to_json(audit: StepAudit) -> dict[str, list[list[Any]]]:
    return {
        "unused": [[d.location, d.type, d.pattern] for d in audit.unused],
        "ambiguous": [
            [a.type, a.text, [[d.location, d.type, d.pattern] for d in a.definitions]]
            for a in audit.ambiguous
        ],
    }


def _audit_from_json(data: dict[str, list[list[Any]]]) -> StepAudit:
    def definition(entry: list[Any]) -> StepDefinition:
        location, step_type, pattern = entry
        return StepDefinition(str(location), str(step_type), str(pattern))

    return StepAudit(
        unused=[definition(entry) for entry in data["unused"]],
        ambiguous=[
            AmbiguousStep(str(t), str(text), tuple(definition(d) for d in defs))
            for t, text, defs in data["ambiguous"]
        ],
    )


class ControllerReporting:
    """Collects reports on the controller (or the serial process) and writes the outputs."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collector = ReportCollector()
        report_dir = config.getoption("bdd_report_dir")
        self.report_dir = Path(report_dir).resolve() if report_dir else None
        self.unused: list[StepDefinition] = []
        self.ambiguous: list[AmbiguousStep] = []
        self.audited = False
        self.started = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.add(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        # tryfirst: before -k/-m deselection, so a filtered run does not report false positives.
        if _gated(self.config):
            self._keep(audit_steps(items, self.config.rootpath))

    def _keep(self, audit: StepAudit) -> None:
        if self.config.getoption("bdd_unused_steps_gate"):
            # Every worker collects the whole suite; keep what all of them found unused.
            found = audit.unused
            self.unused = found if not self.audited else sorted(set(self.unused) & set(found))
        if self.config.getoption("bdd_ambiguous_steps_gate"):
            self.ambiguous = sorted(set(self.ambiguous) | set(audit.ambiguous))
        self.audited = True

    def pytest_testnodedown(self, node: object, error: object) -> None:
        output = getattr(node, "workeroutput", {})
        if AUDIT_KEY in output:
            self._keep(_audit_from_json(output[AUDIT_KEY]))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if (self.unused or self.ambiguous) and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.report_dir is not None:
            run = self.collector.run_report()
            write_cucumber_json(run, self.report_dir / "cucumber.json")
            info = run_info(self.config, duration_s=time.monotonic() - self.started)
            write_html(run, self.report_dir / "report.html", info)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        run = self.collector.run_report()
        if self.config.stash[GHERKIN_VIEW] and run.features:
            write_terminal_report(
                terminalreporter,
                run,
                width=terminalreporter._tw.fullwidth,
                wall_s=time.monotonic() - self.started,
            )
        write_undefined_steps(terminalreporter, run)
        if self.unused:
            terminalreporter.write_sep(
                "=", f"unused step definitions: {len(self.unused)}", red=True
            )
            for definition in self.unused:
                terminalreporter.write_line(definition.describe(), red=True)
        if self.ambiguous:
            terminalreporter.write_sep("=", f"ambiguous steps: {len(self.ambiguous)}", red=True)
            for step in self.ambiguous:
                terminalreporter.write_line(step.describe(), red=True)
        if self.report_dir is not None:
            terminalreporter.write_sep("-", f"BDD reports written to {self.report_dir}")


class WorkerStepAudit:
    """On an xdist worker: audit the steps after collection, send the result to the controller."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        workeroutput: dict[str, object] = self.config.workeroutput  # type: ignore[attr-defined]
        workeroutput[AUDIT_KEY] = _audit_to_json(audit_steps(items, self.config.rootpath))


def pytest_configure(config: pytest.Config) -> None:
    # pytest-bdd's own --gherkin-terminal-reporter swaps pytest's terminal reporter for a plain
    # listing (steps only with -v; refused under xdist). This plugin takes the option over:
    # it switches pytest-bdd's reporter off (its configure runs after ours) and prints the
    # product owner's view from the reports every process sends.
    config.stash[GHERKIN_VIEW] = bool(getattr(config.option, "gherkin_terminal_reporter", False))
    config.option.gherkin_terminal_reporter = False
    config.pluginmanager.register(ScenarioCapture(config.rootpath), "bdd-reporting-capture")
    if _is_worker(config):
        if _gated(config):
            config.pluginmanager.register(WorkerStepAudit(config), "bdd-reporting-step-audit")
    else:
        config.pluginmanager.register(ControllerReporting(config), "bdd-reporting")
