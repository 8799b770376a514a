"""Gherkin-shaped terminal output, written once at the end of the run (same in serial and xdist)."""

from __future__ import annotations

import textwrap
from typing import Protocol

from .model import RunReport, ScenarioDict, StepDict, effective_tags, summarize

LABELS = {"passed": "passed", "failed": "FAILED", "undefined": "UNDEFINED", "skipped": "skipped"}
COLOURS = {"passed": "green", "failed": "red", "undefined": "yellow", "skipped": "cyan"}


# Below this the text column of a step gets too narrow to wrap into: lines are left long.
MIN_TEXT_WIDTH = 20


class Writer(Protocol):
    """The part of pytest's ``TerminalReporter`` we use."""

    def write_line(self, line: str, **markup: bool) -> None: ...

    def write_sep(self, sep: str, title: str | None = None, **markup: bool) -> None: ...


def _wrapped(first: str, indent: int, width: int) -> list[str]:
    """``first`` wrapped to ``width``; continuation lines start under the text, ``indent`` in."""
    if width - indent < MIN_TEXT_WIDTH or len(first) <= width:
        return [first]
    return textwrap.wrap(
        first,
        width=width,
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _markup(status: str) -> dict[str, bool]:
    return {COLOURS[status]: True, "bold": status in ("failed", "undefined")}


def _table(rows: list[list[str]], indent: str) -> list[str]:
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    return [
        indent + "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |"
        for row in rows
    ]


def _indented(text: str, indent: str) -> list[str]:
    return [indent + line for line in text.rstrip().splitlines()]


def _step_lines(tw: Writer, step: StepDict, indent: str, width: int) -> None:
    status = step["status"]
    label = LABELS[status].ljust(9)
    text = f"{indent}{label} {step['keyword']} {step['name']}"
    text_column = len(indent) + 10 + len(step["keyword"]) + 1
    for line in _wrapped(text, text_column, width):
        tw.write_line(line, **_markup(status))
    inner = indent + " " * 10
    if step["datatable"]:
        for line in _table(step["datatable"], inner + "  "):
            tw.write_line(line)
    if step["docstring"] is not None:
        for line in ['"""', *step["docstring"]["value"].splitlines(), '"""']:
            tw.write_line(f"{inner}  {line}")
    if status == "failed" and step["error_message"]:
        for line in _indented(step["error_message"], inner + ">  "):
            tw.write_line(line, red=True)
    if status == "undefined" and step["suggestion"]:
        tw.write_line(f"{inner}>  Suggested step definition:", yellow=True)
        for line in _indented(step["suggestion"], inner + ">    "):
            tw.write_line(line, yellow=True)


def _scenario_lines(tw: Writer, scenario: ScenarioDict, indent: str, width: int) -> None:
    status = scenario["status"]
    tags = " ".join(effective_tags(scenario))
    title = f"{indent}{scenario['keyword']}: {scenario['name']}"
    tw.write_line(
        f"{title}  [{LABELS[status]}, {scenario['duration']:.2f}s]" + (f"  {tags}" if tags else ""),
        **_markup(status),
    )
    example = scenario["example"]
    if example is not None:
        header = f"{indent}  {example['keyword']}: {example['name']}".rstrip(": ")
        tw.write_line(f"{header} (row {example['index']}, line {example['line']})")
        for line in _table(
            [[n for n, _ in example["params"]], [v for _, v in example["params"]]], indent + "    "
        ):
            tw.write_line(line)
    for step in scenario["steps"]:
        _step_lines(tw, step, indent + "  ", width)
    if status == "failed" and not any(s["status"] == "failed" for s in scenario["steps"]):
        tw.write_line(f"{indent}  >  {_error_line(scenario['error'])}", red=True)


def _error_line(error: str | None) -> str:
    """The ``E   SomeError: message`` line of pytest's failure text, else its last line."""
    lines = (error or "failed outside the steps").strip().splitlines()
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return errors[0] if errors else lines[-1]


def write_terminal_report(
    tw: Writer, report: RunReport, *, width: int = 80, wall_s: float | None = None
) -> None:
    """The product owner's view: every feature, rule, scenario and step with its outcome,
    a summary per feature, and the run's totals as Cucumber prints them."""
    tw.write_sep("=", "Gherkin report")
    for feature_report in report.features:
        feature = feature_report.feature
        tw.write_line("")
        tw.write_line(f"{feature['keyword']}: {feature['name']}    ({feature['uri']})", bold=True)
        for group in feature_report.groups():
            indent = "  "
            if group.rule is not None:
                tw.write_line(f"  {group.rule['keyword']}: {group.rule['name']}", bold=True)
                indent = "    "
            for scenario in group.scenarios:
                _scenario_lines(tw, scenario, indent, width)
        counts = feature_report.counts()
        colour = "red" if counts["failed"] or counts["undefined"] else "green"
        tw.write_line(
            f"  Summary: {summarize(counts, 'scenario')}, "
            f"{summarize(feature_report.step_counts(), 'step')}",
            **{colour: True},
        )
    tw.write_line("")
    colour = "red" if report.counts()["failed"] or report.counts()["undefined"] else "green"
    tw.write_line(f"Total: {summarize(report.counts(), 'scenario')}", bold=True, **{colour: True})
    tw.write_line(f"       {summarize(report.step_counts(), 'step')}", **{colour: True})
    if wall_s is not None:
        minutes, seconds = divmod(wall_s, 60)
        tw.write_line(f"       {int(minutes)}m{seconds:.3f}s")


def write_undefined_steps(tw: Writer, report: RunReport) -> None:
    """List every undefined step once, with where it is used and a stub to paste."""
    seen: dict[tuple[str, str], list[str]] = {}
    stubs: dict[tuple[str, str], str] = {}
    for scenario in report.scenarios:
        for step in scenario["steps"]:
            if step["status"] == "undefined":
                key = (step["type"], step["template"])
                seen.setdefault(key, []).append(f"{scenario['feature']['uri']}:{step['line']}")
                stubs[key] = step["suggestion"] or ""
    if not seen:
        return
    tw.write_sep("=", f"undefined steps: {len(seen)}", yellow=True, bold=True)
    for key, places in seen.items():
        step_type, text = key
        tw.write_line(
            f"{step_type.capitalize()} {text}    ({', '.join(sorted(set(places)))})", bold=True
        )
        for line in stubs[key].splitlines():
            tw.write_line(f"    {line}", yellow=True)
        tw.write_line("")
