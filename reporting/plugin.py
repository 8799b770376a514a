"""pytest plugin: ``-p reporting.plugin``.

Options:
  --bdd-report-dir=DIR     write DIR/cucumber.json and DIR/report.html, print DIR at the end;
                           pass --junitxml=DIR/junit.xml for JUnit.
  --bdd-terminal           print features, rules, scenarios and steps at the end of the run.
  --bdd-unused-steps-gate  fail the run when no collected scenario uses a step definition.

Undefined steps are always listed at the end with a suggested step definition, and the
pytest failure of the scenario carries the same suggestion (so JUnit XML shows it too).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .capture import ScenarioCapture
from .collector import ReportCollector
from .cucumber import write_cucumber_json
from .html_report import write_html
from .terminal import write_terminal_report, write_undefined_steps
from .unused import StepDefinition, find_unused_steps

UNUSED_KEY = "bdd_unused_steps"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bdd-reporting", "Gherkin reports (reporting.plugin)")
    group.addoption(
        "--bdd-report-dir",
        metavar="DIR",
        default=None,
        help="write DIR/cucumber.json and DIR/report.html (living documentation).",
    )
    group.addoption(
        "--bdd-terminal",
        action="store_true",
        default=False,
        help="print features, rules, scenarios and steps with their status at the end of the run.",
    )
    group.addoption(
        "--bdd-unused-steps-gate",
        action="store_true",
        default=False,
        help="fail the run if a step definition is not used by any collected scenario.",
    )


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


class ControllerReporting:
    """Collects reports on the controller (or the serial process) and writes the outputs."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.collector = ReportCollector()
        report_dir = config.getoption("bdd_report_dir")
        self.report_dir = Path(report_dir).resolve() if report_dir else None
        self.unused: list[StepDefinition] | None = None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.collector.add(report)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        # tryfirst: before -k/-m deselection, so a filtered run does not report false positives.
        if self.config.getoption("bdd_unused_steps_gate"):
            self.unused = find_unused_steps(items, self.config.rootpath)

    def pytest_testnodedown(self, node: object, error: object) -> None:
        output = getattr(node, "workeroutput", {})
        if UNUSED_KEY in output:
            found = [StepDefinition(*entry) for entry in output[UNUSED_KEY]]
            # Every worker collects the whole suite; keep what all of them found unused.
            self.unused = found if self.unused is None else sorted(set(self.unused) & set(found))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.unused and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.report_dir is not None:
            run = self.collector.run_report()
            write_cucumber_json(run, self.report_dir / "cucumber.json")
            write_html(run, self.report_dir / "report.html")

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        run = self.collector.run_report()
        if self.config.getoption("bdd_terminal") and run.features:
            write_terminal_report(terminalreporter, run)
        write_undefined_steps(terminalreporter, run)
        if self.unused:
            terminalreporter.write_sep(
                "=", f"unused step definitions: {len(self.unused)}", red=True
            )
            for definition in self.unused:
                terminalreporter.write_line(definition.describe(), red=True)
        if self.report_dir is not None:
            terminalreporter.write_sep("-", f"BDD reports written to {self.report_dir}")


class WorkerUnusedSteps:
    """On an xdist worker: compute unused steps after collection and send them to the controller."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        unused = find_unused_steps(items, self.config.rootpath)
        workeroutput: dict[str, object] = self.config.workeroutput  # type: ignore[attr-defined]
        workeroutput[UNUSED_KEY] = [[d.location, d.type, d.pattern] for d in unused]


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(ScenarioCapture(config.rootpath), "bdd-reporting-capture")
    if _is_worker(config):
        if config.getoption("bdd_unused_steps_gate"):
            config.pluginmanager.register(WorkerUnusedSteps(config), "bdd-reporting-unused")
    else:
        config.pluginmanager.register(ControllerReporting(config), "bdd-reporting")
