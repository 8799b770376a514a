"""Controller side: build the run's scenarios from the pytest reports it receives.

Serial and xdist runs take the same path: ``pytest_runtest_logreport`` on the controller sees
every phase report (setup, call, teardown) of every item, with the payload attached by
``capture.py`` on whichever process ran the item.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest

from .model import REPORT_ATTR, RunReport, ScenarioDict, Status


@dataclass
class _Entry:
    payload: ScenarioDict | None = None
    outcomes: dict[str, str] = field(default_factory=dict)  # phase -> passed/failed/skipped
    errors: dict[str, str] = field(default_factory=dict)  # phase -> longrepr text
    duration: float = 0.0


def _scenario_status(scenario: ScenarioDict, entry: _Entry) -> Status:
    steps = scenario["steps"]
    if any(step["status"] == "undefined" for step in steps):
        return "undefined"
    if "failed" in entry.outcomes.values():
        return "failed"
    if "skipped" in entry.outcomes.values():
        return "skipped"
    return "passed"


class ReportCollector:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(self, report: pytest.TestReport) -> None:
        entry = self._entries.setdefault(report.nodeid, _Entry())
        payload = getattr(report, REPORT_ATTR, None)
        if payload is not None:
            entry.payload = payload
        entry.outcomes[report.when] = report.outcome
        entry.duration += report.duration
        if report.failed:
            entry.errors[report.when] = report.longreprtext
        elif report.skipped and report.when != "teardown":
            entry.errors[report.when] = _skip_reason(report)

    def scenarios(self) -> list[ScenarioDict]:
        result: list[ScenarioDict] = []
        for entry in self._entries.values():
            if entry.payload is None:
                continue
            scenario = copy.deepcopy(entry.payload)
            scenario["status"] = _scenario_status(scenario, entry)
            scenario["duration"] = entry.duration
            errors = [
                f"[{phase}] {entry.errors[phase]}" if phase != "call" else entry.errors[phase]
                for phase in ("setup", "call", "teardown")
                if phase in entry.errors
            ]
            scenario["error"] = "\n\n".join(errors) or None
            result.append(scenario)
        return result

    def run_report(self) -> RunReport:
        return RunReport.from_scenarios(self.scenarios())


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return report.longreprtext
