"""Single-file HTML living documentation: an overview, then features -> rules -> scenarios -> steps.

No external CSS, JS or fonts: the page works opened from disk with no network. The overview
at the top counts every feature's scenarios by status and links to it; features, rules and
scenarios fold (``<details>``: open when something in them failed or is undefined), each has
an anchor, and inline JavaScript filters by status, tag and text (html_assets.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from html import escape
from pathlib import Path

from .html_assets import CSS, JS
from .model import (
    STATUSES,
    FeatureReport,
    RuleDict,
    RunReport,
    ScenarioDict,
    StepDict,
    TagDict,
    effective_tags,
    summarize,
)
from .run_info import RunInfo

#: A section opens by default when one of its scenarios has one of these statuses.
OPEN_STATUSES = frozenset({"failed", "undefined"})


def _e(text: object) -> str:
    return escape(str(text), quote=True)


class Anchors:
    """Readable, unique ids: ``feature``, ``feature/rule``, ``feature/scenario[/examples-row]``."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, *parts: str) -> str:
        base = "/".join(_slug(part) for part in parts)
        anchor, number = base, 1
        while anchor in self._used:  # same names twice: the later ones get -2, -3, ...
            number += 1
            anchor = f"{base}-{number}"
        self._used.add(anchor)
        return anchor


def _slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-") or "section"


def _tags(tags: list[str] | list[TagDict]) -> str:
    names = [t if isinstance(t, str) else t["name"] for t in tags]
    return "".join(f'<span class="tag">{_e(name)}</span>' for name in names)


def _badge(status: str) -> str:
    return f'<span class="badge {_e(status)}">{_e(status)}</span>'


def _anchor_link(anchor: str, what: str) -> str:
    return f'<a class="anchor" href="#{_e(anchor)}" aria-label="Link to this {what}">#</a>'


def _details(kind: str, is_open: bool, summary: str, body: str) -> str:
    """A foldable section; ``data-open`` keeps its default for the script's "clear filters"."""
    flag = "true" if is_open else "false"
    return (
        f'<details class="{kind}-details" data-open="{flag}"{" open" if is_open else ""}>'
        f"<summary>{summary}</summary>{body}</details>"
    )


def _table(rows: list[list[str]], header: bool = False) -> str:
    html = ['<table class="datatable">']
    for number, row in enumerate(rows):
        cell = "th" if header and number == 0 else "td"
        html.append("<tr>" + "".join(f"<{cell}>{_e(v)}</{cell}>" for v in row) + "</tr>")
    html.append("</table>")
    return "".join(html)


def _step(step: StepDict) -> str:
    status = step["status"]
    classes = f"step {status}" + (" background" if step["background"] else "")
    parts = [
        f'<li class="{_e(classes)}" data-status="{_e(status)}" data-line="{step["line"]}">',
        f'<span class="kw">{_e(step["keyword"])}</span> ',
        f'<span class="text">{_e(step["name"])}</span> ',
        _badge(status),
        f' <span class="duration">{step["duration"]:.3f} s</span>',
    ]
    if step["location"]:
        parts.append(f' <span class="meta">{_e(step["location"])}</span>')
    if step["datatable"] is not None:
        parts.append(_table(step["datatable"]))
    if step["docstring"] is not None:
        media, value = step["docstring"]["content_type"], step["docstring"]["value"]
        parts.append(f'<pre class="docstring" data-content-type="{_e(media)}">{_e(value)}</pre>')
    if status == "failed" and step["error_message"]:
        parts.append(f'<pre class="error">{_e(step["error_message"])}</pre>')
    if status == "undefined":
        parts.append('<div class="meta">Undefined step. Suggested step definition:</div>')
        parts.append(f'<pre class="suggestion">{_e(step["suggestion"] or "")}</pre>')
    parts.append("</li>")
    return "".join(parts)


def _scenario_anchor(scenario: ScenarioDict, feature_anchor: str, anchors: Anchors) -> str:
    example = scenario["example"]
    if example is None:
        return anchors.make(feature_anchor, scenario["name"])
    row = f"{example['name']}-{example['index']}" if example["name"] else str(example["index"])
    return anchors.make(feature_anchor, scenario["name"], row)


def _example_label(scenario: ScenarioDict) -> str:
    """Which Examples row an outline's scenario ran, readable while the scenario is folded."""
    example = scenario["example"]
    if example is None:
        return ""
    values = ", ".join(f"{name} {value}" for name, value in example["params"])
    where = (
        f"{example['name']}, row {example['index']}"
        if example["name"]
        else f"row {example['index']}"
    )
    return f'<span class="example-label meta">{_e(where)}: {_e(values)}</span>'


def _scenario(scenario: ScenarioDict, anchor: str) -> str:
    status = scenario["status"]
    tags = effective_tags(scenario)
    summary = (
        f'<h4><span class="kw">{_e(scenario["keyword"])}:</span> '
        f'<span class="scenario-name">{_e(scenario["name"])}</span> {_badge(status)} '
        f'<span class="duration">{scenario["duration"]:.3f} s</span>'
        f"{_anchor_link(anchor, 'scenario')}</h4>"
        + _example_label(scenario)
        + (f'<div class="tags">{_tags(tags)}</div>' if tags else "")
    )
    body: list[str] = []
    if scenario["description"]:
        body.append(f'<p class="description">{_e(scenario["description"])}</p>')
    example = scenario["example"]
    if example is not None:
        title = f"{example['keyword']}: {example['name']}".rstrip(": ")
        body.append(
            f'<div class="example" data-line="{example["line"]}"><span class="meta">{_e(title)} '
            f"(row {example['index']}, line {example['line']})</span>"
            + _table(
                [[n for n, _ in example["params"]], [v for _, v in example["params"]]], header=True
            )
            + "</div>"
        )
    body.append('<ol class="steps">' + "".join(_step(step) for step in scenario["steps"]) + "</ol>")
    if scenario["error"] and status in ("failed", "undefined", "skipped"):
        title = "Skip reason" if status == "skipped" else "Error details"
        body.append(
            f'<details class="error-details"><summary>{title}</summary>'
            f'<pre class="error">{_e(scenario["error"])}</pre></details>'
        )
    return (
        f'<article class="scenario {_e(status)}" data-status="{_e(status)}" '
        f'data-tags="{_e(" ".join(tags))}" data-nodeid="{_e(scenario["nodeid"])}" '
        f'id="{_e(anchor)}">'
        + _details("scenario", status in OPEN_STATUSES, summary, "".join(body))
        + "</article>"
    )


def _rule(rule: RuleDict, scenarios: str, anchor: str, is_open: bool) -> str:
    summary = (
        f'<h3><span class="kw">{_e(rule["keyword"])}:</span> '
        f'<span class="rule-name">{_e(rule["name"])}</span>{_anchor_link(anchor, "rule")}</h3>'
    )
    body = (f'<div class="tags">{_tags(rule["tags"])}</div>' if rule["tags"] else "") + (
        f'<p class="description">{_e(rule["description"])}</p>' if rule["description"] else ""
    )
    return (
        f'<section class="rule" data-line="{rule["line"]}" id="{_e(anchor)}">'
        + _details("rule", is_open, summary, body + scenarios)
        + "</section>"
    )


def _opens(counts: Counter[str]) -> bool:
    return any(counts[status] for status in OPEN_STATUSES)


def _feature(report: FeatureReport, anchor: str, anchors: Anchors) -> str:
    feature = report.feature
    summary = (
        f'<h2><span class="kw">{_e(feature["keyword"])}:</span> '
        f'<span class="feature-name">{_e(feature["name"])}</span>'
        f"{_anchor_link(anchor, 'feature')}</h2>"
        f'<div class="uri">{_e(feature["uri"])} — '
        f"{_e(summarize(report.counts(), 'scenario'))}, "
        f"{_e(summarize(report.step_counts(), 'step'))}</div>"
    )
    body = [
        f'<div class="tags">{_tags(feature["tags"])}</div>' if feature["tags"] else "",
        f'<p class="description">{_e(feature["description"])}</p>'
        if feature["description"]
        else "",
    ]
    for group in report.groups():
        scenarios = "".join(
            _scenario(s, _scenario_anchor(s, anchor, anchors)) for s in group.scenarios
        )
        if group.rule is None:
            body.append(scenarios)
            continue
        counts: Counter[str] = Counter(s["status"] for s in group.scenarios)
        rule_anchor = anchors.make(anchor, group.rule["name"])
        body.append(_rule(group.rule, scenarios, rule_anchor, _opens(counts)))
    return (
        f'<section class="feature" data-uri="{_e(feature["uri"])}" id="{_e(anchor)}">'
        + _details("feature", _opens(report.counts()), summary, "".join(body))
        + "</section>"
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def _run_facts(report: RunReport, info: RunInfo | None) -> str:
    facts = [
        ("Scenarios", summarize(report.counts(), "scenario")),
        ("Steps", summarize(report.step_counts(), "step")),
    ]
    if info is not None:
        facts += [
            ("Duration", _duration(info.duration_s)),
            ("Date", info.started.strftime("%Y-%m-%d %H:%M UTC")),
        ]
        facts += [("Run", info.mode + (f", {info.selection}" if info.selection else ""))]
        facts += [("Commit", info.commit)] if info.commit else []
    else:
        facts += [("Generated", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    return (
        '<dl class="run-info">'
        + "".join(
            f'<div data-fact="{_e(name.lower())}"><dt>{_e(name)}</dt><dd>{_e(value)}</dd></div>'
            for name, value in facts
        )
        + "</dl>"
    )


def _count_cells(counts: Counter[str], cell: str = "td") -> str:
    cells = [f'<{cell} class="num total">{sum(counts.values())}</{cell}>']
    for status in STATUSES:
        zero = "" if counts[status] else " zero"
        cells.append(f'<{cell} class="num {status}{zero}">{counts[status]}</{cell}>')
    return "".join(cells)


def _bar(counts: Counter[str]) -> str:
    total = sum(counts.values()) or 1
    label = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s]) or "no scenarios"
    segments = "".join(
        f'<span class="{status}" style="width:{100 * counts[status] / total:.2f}%"></span>'
        for status in STATUSES
        if counts[status]
    )
    return f'<div class="bar" role="img" aria-label="{_e(label)}">{segments}</div>'


def _overview(report: RunReport, anchors: list[str], info: RunInfo | None) -> str:
    """Serenity's requirements overview: each feature's scenarios by status, with a link."""
    head = "".join(f'<th class="num">{_e(status)}</th>' for status in STATUSES)
    rows = [
        f'<tr class="overview-row" data-feature="{_e(anchor)}">'
        f'<td><a href="#{_e(anchor)}">{_e(f.feature["name"] or f.feature["uri"])}</a>'
        f'<span class="uri">{_e(f.feature["uri"])}</span></td>'
        f"{_count_cells(f.counts())}<td>{_bar(f.counts())}</td></tr>"
        for f, anchor in zip(report.features, anchors, strict=True)
    ]
    return (
        '<section class="overview" id="overview"><h2>Overview</h2>'
        + _run_facts(report, info)
        + '<table class="overview-table"><thead><tr><th>Feature</th><th class="num">scenarios</th>'
        + head
        + "<th></th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody><tfoot><tr><th>Total</th>"
        + _count_cells(report.counts(), "th")
        + f"<th>{_bar(report.counts())}</th></tr></tfoot></table></section>"
    )


def _button(kind: str, value: str, label: str) -> str:
    return (
        f'<button type="button" class="filter" data-filter="{kind}" data-value="{_e(value)}">'
        f"{_e(label)}</button>"
    )


def _controls(report: RunReport) -> str:
    counts = report.counts()
    statuses = [_button("status", "", "all")]
    statuses += [_button("status", s, f"{s} ({counts[s]})") for s in STATUSES]
    tags = [_button("tag", "", "all")] + [_button("tag", t, t) for t in report.all_tags()]
    return (
        '<div class="controls"><input type="search" id="search" '
        'placeholder="Search features, scenarios and steps" '
        'aria-label="Search features, scenarios and steps">'
        '<button type="button" class="toggle" id="expand-all">Expand all</button>'
        '<button type="button" class="toggle" id="collapse-all">Collapse all</button></div>'
        '<div class="filters" id="status-filters"><span class="label">Status:</span>'
        + "".join(statuses)
        + '</div><div class="filters" id="tag-filters"><span class="label">Tag:</span>'
        + "".join(tags)
        + '</div><div class="meta" id="shown-count"></div>'
    )


def render_html(
    report: RunReport, title: str = "Acceptance scenarios", info: RunInfo | None = None
) -> str:
    anchors = Anchors()
    feature_anchors = [anchors.make(f.feature["name"] or f.feature["uri"]) for f in report.features]
    features = "".join(
        _feature(feature, anchor, anchors)
        for feature, anchor in zip(report.features, feature_anchors, strict=True)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><div class="meta" id="summary">'
        f"{_e(summarize(report.counts(), 'scenario'))}</div>"
        f"{_controls(report)}</header><main>"
        + _overview(report, feature_anchors, info)
        + features
        + f"</main><script>{JS}</script></body></html>\n"
    )


def write_html(report: RunReport, path: Path, info: RunInfo | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, info=info), encoding="utf-8")
