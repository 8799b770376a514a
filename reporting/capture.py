"""Worker side: record step outcomes from pytest-bdd hooks and attach a scenario payload to reports.

The payload (a ``ScenarioDict``) is set as the ``bdd_scenario`` attribute of the ``setup``
report (when setup did not pass) and of the ``call`` report. pytest serializes extra report
attributes, so pytest-xdist carries the payload to the controller unchanged; pytest-bdd's own
report context lives in a process-local registry and does not travel, which is why its
cucumber JSON is empty under xdist.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd.parser import Feature, Scenario, ScenarioTemplate, Step
from pytest_bdd.scenario import scenario_wrapper_template_registry

from .gherkin_index import FeatureIndex, feature_index
from .model import REPORT_ATTR, ExampleDict, FeatureDict, RuleDict, ScenarioDict, Status, StepDict
from .suggest import suggest_step_definition

EXAMPLE_PARAM = "_pytest_bdd_example"


@dataclass
class StepOutcome:
    status: Status
    started: float
    duration: float = 0.0
    error_message: str | None = None
    suggestion: str | None = None
    location: str | None = None


def short_error(exception: BaseException) -> str:
    text = str(exception).strip()
    name = type(exception).__name__
    return f"{name}: {text}" if text else name


def _add_note(exception: BaseException, note: str) -> None:
    if note not in getattr(exception, "__notes__", []):
        exception.add_note(note)


def scenario_template(item: pytest.Item) -> ScenarioTemplate | None:
    """The pytest-bdd scenario behind a test item, or ``None`` for a plain test."""
    if not isinstance(item, pytest.Function):
        return None
    return scenario_wrapper_template_registry.get(item.obj)


def example_params(item: pytest.Item) -> tuple[dict[str, str], int | None]:
    """The Examples row of an outline item (its parameters and its parametrization index)."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or EXAMPLE_PARAM not in callspec.params:
        return {}, None
    return dict(callspec.params[EXAMPLE_PARAM]), int(callspec.indices[EXAMPLE_PARAM])


class ScenarioCapture:
    """pytest-bdd hook implementations plus the payload builder. Active in every process."""

    def __init__(self, rootpath: Path) -> None:
        self.rootpath = rootpath
        self._outcomes: dict[str, dict[int, StepOutcome]] = {}

    def relpath(self, path: str) -> str:
        try:
            return Path(os.path.relpath(path, self.rootpath)).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def _location(self, func: Callable[..., object]) -> str | None:
        try:
            source = inspect.getsourcefile(func)
        except TypeError:
            return None
        code = getattr(func, "__code__", None)
        if source is None or code is None:
            return None
        return f"{self.relpath(source)}:{code.co_firstlineno}"

    def _step_place(self, feature: Feature, step: Step) -> str:
        return f"line {step.line_number} of {self.relpath(feature.filename)}"

    # --- pytest-bdd hooks -------------------------------------------------------------------

    def pytest_bdd_before_step(
        self,
        request: pytest.FixtureRequest,
        feature: Feature,
        scenario: Scenario,
        step: Step,
        step_func: Callable[..., object],
    ) -> None:
        self._outcomes.setdefault(request.node.nodeid, {})[step.line_number] = StepOutcome(
            status="skipped", started=time.perf_counter(), location=self._location(step_func)
        )

    def pytest_bdd_after_step(
        self,
        request: pytest.FixtureRequest,
        feature: Feature,
        scenario: Scenario,
        step: Step,
        step_func: Callable[..., object],
        step_func_args: dict[str, object],
    ) -> None:
        outcome = self._outcomes[request.node.nodeid][step.line_number]
        outcome.status = "passed"
        outcome.duration = time.perf_counter() - outcome.started

    def pytest_bdd_step_error(
        self,
        request: pytest.FixtureRequest,
        feature: Feature,
        scenario: Scenario,
        step: Step,
        step_func: Callable[..., object],
        step_func_args: dict[str, object],
        exception: BaseException,
    ) -> None:
        outcome = self._outcomes[request.node.nodeid][step.line_number]
        outcome.status = "failed"
        outcome.duration = time.perf_counter() - outcome.started
        outcome.error_message = short_error(exception)
        # The note shows in pytest's failure text, so JUnit XML and plain output name the step.
        _add_note(
            exception,
            f"Failing step: {step.keyword.strip()} {step.name} ({self._step_place(feature, step)})",
        )

    def pytest_bdd_step_func_lookup_error(
        self,
        request: pytest.FixtureRequest,
        feature: Feature,
        scenario: Scenario,
        step: Step,
        exception: BaseException,
    ) -> None:
        template = scenario_template(request.node)
        text = step.name
        if template is not None:
            text = next((s.name for s in template.steps if s.line_number == step.line_number), text)
        suggestion = suggest_step_definition(
            step.type,
            text,
            datatable=step.datatable is not None,
            docstring=step.docstring is not None,
        )
        self._outcomes.setdefault(request.node.nodeid, {})[step.line_number] = StepOutcome(
            status="undefined",
            started=time.perf_counter(),
            error_message=f"Undefined step: {step.keyword.strip()} {step.name}",
            suggestion=suggestion,
        )
        _add_note(
            exception,
            f"Undefined step: {step.keyword.strip()} {step.name} "
            f"({self._step_place(feature, step)})\n"
            f"Suggested step definition:\n\n{suggestion}\n",
        )

    # --- pytest hooks -----------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            payload = self.build_payload(item)
            if payload is not None:
                setattr(report, REPORT_ATTR, payload)
        if report.when == "teardown":
            self._outcomes.pop(item.nodeid, None)
        return report

    # --- payload ----------------------------------------------------------------------------

    def build_payload(self, item: pytest.Item) -> ScenarioDict | None:
        template = scenario_template(item)
        if template is None:
            return None
        params, example_index = example_params(item)
        rendered = template.render(params)
        feature = template.feature
        index = feature_index(feature.filename)
        outcomes = self._outcomes.get(item.nodeid, {})
        steps = [
            self._step_dict(source, step, outcomes.get(step.line_number), index)
            for source, step in zip(template.steps, rendered.steps, strict=True)
        ]
        feature_dict: FeatureDict = {
            "uri": self.relpath(feature.filename),
            "keyword": feature.keyword,
            "name": feature.name,
            "description": feature.description.strip(),
            "line": feature.line_number,
            "language": feature.language,
            "tags": index.tags.get(feature.line_number, []),
        }
        return {
            "nodeid": item.nodeid,
            "keyword": template.keyword,
            "name": rendered.name,
            "line": template.line_number,
            "description": template.description.strip(),
            "tags": index.tags.get(template.line_number, []),
            "feature": feature_dict,
            "rule": self._rule_dict(template, index),
            "example": self._example_dict(template, index, params, example_index),
            "steps": steps,
            "status": "passed",
            "duration": 0.0,
            "error": None,
        }

    @staticmethod
    def _step_dict(
        source: Step, step: Step, outcome: StepOutcome | None, index: FeatureIndex
    ) -> StepDict:
        docstring = index.docstrings.get(step.line_number)
        if docstring is not None and step.docstring is not None:
            docstring = {**docstring, "value": step.docstring}  # rendered with the example
        return {
            "keyword": step.keyword.strip(),
            "type": step.type,
            "name": step.name,
            "template": source.name,
            "line": step.line_number,
            "background": source.background is not None,
            "status": outcome.status if outcome else "skipped",
            "duration": outcome.duration if outcome else 0.0,
            "error_message": outcome.error_message if outcome else None,
            "suggestion": outcome.suggestion if outcome else None,
            "location": outcome.location if outcome else None,
            "datatable": [[str(cell) for cell in row] for row in step.datatable.raw()]
            if step.datatable is not None
            else None,
            "docstring": docstring,
        }

    @staticmethod
    def _rule_dict(template: ScenarioTemplate, index: FeatureIndex) -> RuleDict | None:
        rule = template.rule
        if rule is None:
            return None
        line = index.rule_of_scenario.get(template.line_number, 0)
        return {
            "keyword": rule.keyword,
            "name": rule.name,
            "description": rule.description.strip(),
            "line": line,
            "tags": index.tags.get(line, []),
        }

    @staticmethod
    def _example_dict(
        template: ScenarioTemplate,
        index: FeatureIndex,
        params: dict[str, str],
        example_index: int | None,
    ) -> ExampleDict | None:
        if example_index is None:
            return None
        blocks = index.examples.get(template.line_number, [])
        position = example_index
        for number, examples in enumerate(template.examples):
            if position < len(examples.examples):
                block = blocks[number] if number < len(blocks) else None
                row = examples.examples[position]
                return {
                    "keyword": block.keyword if block else "Examples",
                    "name": examples.name or "",
                    "line": block.row_lines[position] if block else 0,
                    "index": position + 1,
                    "params": [
                        [name, str(value)]
                        for name, value in zip(examples.example_params, row, strict=True)
                    ],
                    "tags": block.tags if block else [],
                }
            position -= len(examples.examples)
        return None
