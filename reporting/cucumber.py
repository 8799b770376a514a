"""Cucumber JSON (the classic ``--format json`` shape read by CI plugins and report tools)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .model import RunReport, ScenarioDict, StepDict, TagDict

JSON = dict[str, Any]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _tags(tags: list[TagDict]) -> list[JSON]:
    return [{"name": tag["name"], "line": tag["line"]} for tag in tags]


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


def _step(step: StepDict, scenario: ScenarioDict) -> JSON:
    result: JSON = {"status": step["status"], "duration": _ns(step["duration"])}
    if step["status"] == "failed":
        result["error_message"] = scenario["error"] or step["error_message"] or ""
    elif step["status"] == "undefined":
        result["error_message"] = (
            f"{step['error_message']}\nSuggested step definition:\n\n{step['suggestion']}\n"
        )
    element: JSON = {
        "keyword": f"{step['keyword']} ",
        "name": step["name"],
        "line": step["line"],
        "match": {"location": step["location"]} if step["location"] else {},
        "result": result,
    }
    if step["datatable"] is not None:
        element["rows"] = [{"cells": row} for row in step["datatable"]]
    if step["docstring"] is not None:
        element["doc_string"] = dict(step["docstring"])
    return element


def _scenario(scenario: ScenarioDict, feature_id: str) -> JSON:
    parts = [feature_id]
    if scenario["rule"] is not None:
        parts.append(_slug(scenario["rule"]["name"]))
    parts.append(_slug(scenario["name"]))
    # Like Cucumber's pickles, a scenario carries the tags it inherits from its feature and rule.
    tags = [*scenario["feature"]["tags"], *(scenario["rule"]["tags"] if scenario["rule"] else [])]
    tags += scenario["tags"]
    example = scenario["example"]
    if example is not None:
        parts += [_slug(example["name"]), str(example["index"])]
        tags = tags + example["tags"]
    element: JSON = {
        "keyword": scenario["keyword"],
        "id": ";".join(parts),
        "name": scenario["name"],
        "line": example["line"] if example else scenario["line"],
        "description": scenario["description"],
        "tags": _tags(tags),
        "type": "scenario",
        "steps": [_step(step, scenario) for step in scenario["steps"]],
    }
    # A failure outside the steps (fixture setup/teardown) is reported as a hook, as Cucumber does.
    if scenario["status"] == "failed" and not any(
        s["status"] == "failed" for s in scenario["steps"]
    ):
        hook = {
            "match": {"location": scenario["nodeid"]},
            "result": {"status": "failed", "duration": 0, "error_message": scenario["error"] or ""},
        }
        all_skipped = all(s["status"] == "skipped" for s in scenario["steps"])
        element["before" if all_skipped else "after"] = [hook]
    return element


def cucumber_features(report: RunReport) -> list[JSON]:
    features: list[JSON] = []
    for feature_report in report.features:
        feature = feature_report.feature
        feature_id = _slug(feature["name"] or feature["uri"])
        features.append(
            {
                "uri": feature["uri"],
                "id": feature_id,
                "keyword": feature["keyword"],
                "name": feature["name"],
                "description": feature["description"],
                "line": feature["line"],
                "language": feature["language"],
                "tags": _tags(feature["tags"]),
                "elements": [_scenario(s, feature_id) for s in feature_report.scenarios],
            }
        )
    return features


def write_cucumber_json(report: RunReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cucumber_features(report), indent=2) + "\n", encoding="utf-8")
