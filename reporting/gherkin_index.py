"""What pytest-bdd's parsed objects leave out, read again from the feature file.

pytest-bdd keeps tag names but not their lines, doc strings without their media type and
Examples without the lines of their rows. Cucumber JSON wants those, so we parse the file
once more with the same Gherkin parser (``gherkin-official``, a pytest-bdd dependency).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any

from gherkin.parser import Parser

from .model import DocStringDict, TagDict

Node = dict[str, Any]


@dataclass
class ExamplesBlock:
    line: int
    keyword: str
    name: str
    tags: list[TagDict]
    row_lines: list[int]


@dataclass
class FeatureIndex:
    """Lookups by line number into one feature file."""

    tags: dict[int, list[TagDict]] = field(default_factory=dict)  # feature/rule/scenario line
    rule_of_scenario: dict[int, int] = field(default_factory=dict)  # scenario line -> rule line
    rule_keywords: dict[int, str] = field(default_factory=dict)  # rule line -> keyword
    docstrings: dict[int, DocStringDict] = field(default_factory=dict)  # step line
    examples: dict[int, list[ExamplesBlock]] = field(default_factory=dict)  # scenario line


def _tags(node: Node) -> list[TagDict]:
    return [{"name": t["name"], "line": t["location"]["line"]} for t in node.get("tags", [])]


def _index_steps(index: FeatureIndex, steps: list[Node]) -> None:
    for step in steps:
        doc = step.get("docString")
        if doc is not None:
            index.docstrings[step["location"]["line"]] = {
                "value": doc["content"],
                "content_type": doc.get("mediaType") or "",
                "line": doc["location"]["line"],
            }


def _index_children(index: FeatureIndex, children: list[Node], rule_line: int | None) -> None:
    for child in children:
        if "background" in child:
            _index_steps(index, child["background"].get("steps", []))
        elif "rule" in child:
            rule = child["rule"]
            line = rule["location"]["line"]
            index.tags[line] = _tags(rule)
            index.rule_keywords[line] = rule["keyword"]
            _index_children(index, rule.get("children", []), line)
        elif "scenario" in child:
            scenario = child["scenario"]
            line = scenario["location"]["line"]
            index.tags[line] = _tags(scenario)
            if rule_line is not None:
                index.rule_of_scenario[line] = rule_line
            _index_steps(index, scenario.get("steps", []))
            index.examples[line] = [
                ExamplesBlock(
                    line=ex["location"]["line"],
                    keyword=ex["keyword"],
                    name=ex.get("name", ""),
                    tags=_tags(ex),
                    row_lines=[row["location"]["line"] for row in ex.get("tableBody", [])],
                )
                for ex in scenario.get("examples", [])
                if ex.get("tableHeader") is not None
            ]


@functools.lru_cache(maxsize=256)
def _load(path: str, mtime_ns: int) -> FeatureIndex:
    with open(path, encoding="utf-8") as handle:
        document: Node = dict(Parser().parse(handle.read()))
    index = FeatureIndex()
    feature = document.get("feature")
    if feature is not None:
        index.tags[feature["location"]["line"]] = _tags(feature)
        _index_children(index, feature.get("children", []), None)
    return index


def feature_index(path: str) -> FeatureIndex:
    """The (cached) index of the feature file at ``path``."""
    return _load(os.path.abspath(path), os.stat(path).st_mtime_ns)
