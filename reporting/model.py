"""The report model: JSON-serializable scenario payloads and their grouping into features.

A worker (or the serial process) builds one ``ScenarioDict`` per test item and attaches it to
the pytest report; the controller groups them into ``FeatureReport`` objects. Everything that
crosses the xdist wire is made of dicts, lists, strings, numbers, booleans and ``None``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, TypedDict

Status = Literal["passed", "failed", "skipped", "undefined"]
STATUSES: tuple[Status, ...] = ("passed", "failed", "undefined", "skipped")

#: Name of the attribute that carries a ``ScenarioDict`` on a pytest ``TestReport``.
REPORT_ATTR = "bdd_scenario"


class TagDict(TypedDict):
    name: str  # with the leading "@"
    line: int


class DocStringDict(TypedDict):
    value: str
    content_type: str
    line: int


class StepDict(TypedDict):
    keyword: str  # stripped, e.g. "Given"
    type: str  # given / when / then
    name: str  # the step text, rendered with the example's parameters
    template: str  # the step text as written (with <param> placeholders)
    line: int
    background: bool
    status: Status
    duration: float  # seconds
    error_message: str | None  # short error of the failing step
    suggestion: str | None  # suggested step definition for an undefined step
    location: str | None  # "path.py:line" of the matched step definition
    datatable: list[list[str]] | None
    docstring: DocStringDict | None


class FeatureDict(TypedDict):
    uri: str  # feature file path relative to the rootdir, with "/"
    keyword: str
    name: str
    description: str
    line: int
    language: str
    tags: list[TagDict]


class RuleDict(TypedDict):
    keyword: str
    name: str
    description: str
    line: int
    tags: list[TagDict]


class ExampleDict(TypedDict):
    keyword: str
    name: str
    line: int  # line of the Examples row
    index: int  # 1-based row number within its Examples block
    params: list[list[str]]  # [[name, value], ...] in header order
    tags: list[TagDict]


class ScenarioDict(TypedDict):
    nodeid: str
    keyword: str
    name: str
    line: int
    description: str
    tags: list[TagDict]  # the scenario's own tags
    feature: FeatureDict
    rule: RuleDict | None
    example: ExampleDict | None
    steps: list[StepDict]
    status: Status  # filled in by the collector from all test phases
    duration: float  # seconds, all test phases
    error: str | None  # full error text (pytest's longrepr) of the failing phase


def effective_tags(scenario: ScenarioDict) -> list[str]:
    """All tags that apply to a scenario (feature, rule, scenario, examples), sorted, unique."""
    tags: list[TagDict] = [*scenario["feature"]["tags"], *scenario["tags"]]
    if scenario["rule"] is not None:
        tags += scenario["rule"]["tags"]
    if scenario["example"] is not None:
        tags += scenario["example"]["tags"]
    return sorted({tag["name"] for tag in tags})


def sort_key(scenario: ScenarioDict) -> tuple[str, int, int, int, str]:
    example = scenario["example"]
    return (
        scenario["feature"]["uri"],
        scenario["line"],
        example["line"] if example else 0,
        example["index"] if example else 0,
        scenario["nodeid"],
    )


@dataclass
class RuleGroup:
    rule: RuleDict | None
    scenarios: list[ScenarioDict] = field(default_factory=list)


@dataclass
class FeatureReport:
    feature: FeatureDict
    scenarios: list[ScenarioDict] = field(default_factory=list)

    def groups(self) -> list[RuleGroup]:
        """Scenarios grouped by rule, in file order (scenarios outside a rule get ``rule=None``)."""
        groups: list[RuleGroup] = []
        for scenario in self.scenarios:
            rule = scenario["rule"]
            key = rule["line"] if rule else None
            last = groups[-1].rule if groups else None
            if not groups or (last["line"] if last else None) != key:
                groups.append(RuleGroup(rule=rule))
            groups[-1].scenarios.append(scenario)
        return groups

    def counts(self) -> Counter[str]:
        return Counter(scenario["status"] for scenario in self.scenarios)

    def step_counts(self) -> Counter[str]:
        return Counter(step["status"] for s in self.scenarios for step in s["steps"])


@dataclass
class RunReport:
    features: list[FeatureReport]

    @classmethod
    def from_scenarios(cls, scenarios: list[ScenarioDict]) -> RunReport:
        by_uri: dict[str, FeatureReport] = {}
        for scenario in sorted(scenarios, key=sort_key):
            uri = scenario["feature"]["uri"]
            by_uri.setdefault(uri, FeatureReport(feature=scenario["feature"]))
            by_uri[uri].scenarios.append(scenario)
        return cls(features=[by_uri[uri] for uri in sorted(by_uri)])

    @property
    def scenarios(self) -> list[ScenarioDict]:
        return [s for feature in self.features for s in feature.scenarios]

    def counts(self) -> Counter[str]:
        return Counter(scenario["status"] for scenario in self.scenarios)

    def step_counts(self) -> Counter[str]:
        return Counter(step["status"] for s in self.scenarios for step in s["steps"])

    def all_tags(self) -> list[str]:
        return sorted({tag for s in self.scenarios for tag in effective_tags(s)})


def summarize(counts: Counter[str], noun: str) -> str:
    """``3 scenarios (1 failed, 2 passed)``; statuses in a fixed order."""
    total = sum(counts.values())
    parts = [f"{counts[status]} {status}" for status in STATUSES if counts[status]]
    plural = noun if total == 1 else f"{noun}s"
    return f"{total} {plural} ({', '.join(parts)})" if parts else f"{total} {plural}"
