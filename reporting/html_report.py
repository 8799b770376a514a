"""Single-file HTML living documentation: features -> rules -> scenarios -> steps.

No external CSS, JS or fonts: the page works opened from disk with no network. Filtering by
tag and by status is plain inline JavaScript over ``data-status`` / ``data-tags`` attributes.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from .model import (
    STATUSES,
    FeatureReport,
    RunReport,
    ScenarioDict,
    StepDict,
    TagDict,
    effective_tags,
    summarize,
)

CSS = """
:root { --pass:#1a7f37; --fail:#cf222e; --undef:#9a6700; --skip:#57606a; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1f2328; }
header { position: sticky; top: 0; background: #f6f8fa; border-bottom: 1px solid var(--line);
  padding: .6rem 1rem; z-index: 1; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
main { padding: 0 1rem 2rem; max-width: 72rem; }
[hidden] { display: none !important; }
.filters { display: flex; flex-wrap: wrap; gap: .3rem 1rem; align-items: center; }
.filters .label { font-weight: 600; }
button.filter { border: 1px solid var(--line); background: #fff; border-radius: 1rem;
  padding: .1rem .6rem; cursor: pointer; font: inherit; }
button.filter[aria-pressed="true"] { background: #0969da; color: #fff; border-color: #0969da; }
.feature { border-top: 2px solid var(--line); margin-top: 1.2rem; }
.feature > h2 { font-size: 1.2rem; margin: .6rem 0 .1rem; }
.rule { margin-left: 1rem; }
.rule > h3 { font-size: 1.05rem; margin: .8rem 0 .2rem; }
.scenario { border: 1px solid var(--line); border-left: 5px solid var(--skip); border-radius: 4px;
  margin: .6rem 0 .6rem 1rem; padding: .4rem .8rem; }
.scenario.passed { border-left-color: var(--pass); }
.scenario.failed { border-left-color: var(--fail); }
.scenario.undefined { border-left-color: var(--undef); }
.scenario > h4 { margin: .1rem 0; font-size: 1rem; }
.kw { font-weight: 700; }
.uri, .duration, .meta { color: #57606a; font-size: .85rem; }
.tag { display: inline-block; background: #ddf4ff; color: #0550ae; border-radius: .6rem;
  padding: 0 .45rem; margin-right: .25rem; font-size: .8rem; }
.badge { display: inline-block; border-radius: .3rem; padding: 0 .4rem; font-size: .75rem;
  color: #fff; vertical-align: middle; background: var(--skip); text-transform: uppercase; }
.badge.passed { background: var(--pass); } .badge.failed { background: var(--fail); }
.badge.undefined { background: var(--undef); }
ol.steps { list-style: none; padding-left: 0; margin: .3rem 0; }
li.step { padding: .1rem 0 .1rem .4rem; border-left: 3px solid transparent; }
li.step.failed { border-left-color: var(--fail); background: #ffebe9; }
li.step.undefined { border-left-color: var(--undef); background: #fff8c5; }
li.step.skipped { color: #57606a; }
li.step.background .kw::before { content: "(background) "; font-weight: 400; color: #57606a; }
table { border-collapse: collapse; margin: .2rem 0 .2rem 1.5rem; font-size: .9rem; }
td, th { border: 1px solid var(--line); padding: .1rem .5rem; text-align: left; }
th { background: #f6f8fa; }
pre { background: #f6f8fa; padding: .4rem .6rem; margin: .2rem 0 .2rem 1.5rem; overflow-x: auto;
  white-space: pre-wrap; font-size: .85rem; }
pre.error { background: #ffebe9; color: #82071e; }
pre.suggestion { background: #fff8c5; }
.description { white-space: pre-wrap; margin: .2rem 0; }
"""

JS = """
(function () {
  var state = { status: "", tag: "" };
  function apply() {
    var scenarios = document.querySelectorAll(".scenario"), shown = 0;
    scenarios.forEach(function (s) {
      var okStatus = !state.status || s.getAttribute("data-status") === state.status;
      var tags = " " + s.getAttribute("data-tags") + " ";
      var okTag = !state.tag || tags.indexOf(" " + state.tag + " ") >= 0;
      s.hidden = !(okStatus && okTag);
      if (!s.hidden) { shown += 1; }
    });
    document.querySelectorAll(".rule, .feature").forEach(function (c) {
      c.hidden = !c.querySelector(".scenario:not([hidden])");
    });
    document.querySelectorAll("button.filter").forEach(function (b) {
      var kind = b.getAttribute("data-filter");
      b.setAttribute("aria-pressed", String(state[kind] === b.getAttribute("data-value")));
    });
    document.getElementById("shown-count").textContent =
      shown + " of " + scenarios.length + " scenarios shown";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.filter");
    if (!button) { return; }
    state[button.getAttribute("data-filter")] = button.getAttribute("data-value");
    apply();
  });
  apply();
})();
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _tags(tags: list[str] | list[TagDict]) -> str:
    names = [t if isinstance(t, str) else t["name"] for t in tags]
    return "".join(f'<span class="tag">{_e(name)}</span>' for name in names)


def _badge(status: str) -> str:
    return f'<span class="badge {_e(status)}">{_e(status)}</span>'


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


def _scenario(scenario: ScenarioDict) -> str:
    status = scenario["status"]
    tags = effective_tags(scenario)
    parts = [
        (
            f'<article class="scenario {_e(status)}" data-status="{_e(status)}" '
            f'data-tags="{_e(" ".join(tags))}" data-nodeid="{_e(scenario["nodeid"])}">'
        ),
        (
            f'<h4><span class="kw">{_e(scenario["keyword"])}:</span> {_e(scenario["name"])} '
            f'{_badge(status)} <span class="duration">{scenario["duration"]:.3f} s</span></h4>'
        ),
        f'<div class="tags">{_tags(tags)}</div>' if tags else "",
    ]
    if scenario["description"]:
        parts.append(f'<p class="description">{_e(scenario["description"])}</p>')
    example = scenario["example"]
    if example is not None:
        title = f"{example['keyword']}: {example['name']}".rstrip(": ")
        parts.append(
            f'<div class="example" data-line="{example["line"]}"><span class="meta">{_e(title)} '
            f"(row {example['index']}, line {example['line']})</span>"
            + _table(
                [[n for n, _ in example["params"]], [v for _, v in example["params"]]], header=True
            )
            + "</div>"
        )
    parts.append(
        '<ol class="steps">' + "".join(_step(step) for step in scenario["steps"]) + "</ol>"
    )
    if scenario["error"] and status in ("failed", "undefined", "skipped"):
        summary = "Skip reason" if status == "skipped" else "Error details"
        parts.append(
            f'<details class="error-details"><summary>{summary}</summary>'
            f'<pre class="error">{_e(scenario["error"])}</pre></details>'
        )
    parts.append("</article>")
    return "".join(parts)


def _feature(report: FeatureReport) -> str:
    feature = report.feature
    parts = [
        f'<section class="feature" data-uri="{_e(feature["uri"])}">',
        f'<h2><span class="kw">{_e(feature["keyword"])}:</span> {_e(feature["name"])}</h2>',
        (
            f'<div class="uri">{_e(feature["uri"])} — '
            f"{_e(summarize(report.counts(), 'scenario'))}, "
            f"{_e(summarize(report.step_counts(), 'step'))}</div>"
        ),
        f'<div class="tags">{_tags(feature["tags"])}</div>' if feature["tags"] else "",
        f'<p class="description">{_e(feature["description"])}</p>'
        if feature["description"]
        else "",
    ]
    for group in report.groups():
        if group.rule is None:
            parts.extend(_scenario(s) for s in group.scenarios)
            continue
        rule = group.rule
        parts.append(f'<section class="rule" data-line="{rule["line"]}">')
        parts.append(f'<h3><span class="kw">{_e(rule["keyword"])}:</span> {_e(rule["name"])}</h3>')
        if rule["tags"]:
            parts.append(f'<div class="tags">{_tags(rule["tags"])}</div>')
        if rule["description"]:
            parts.append(f'<p class="description">{_e(rule["description"])}</p>')
        parts.extend(_scenario(s) for s in group.scenarios)
        parts.append("</section>")
    parts.append("</section>")
    return "".join(parts)


def _button(kind: str, value: str, label: str) -> str:
    return (
        f'<button type="button" class="filter" data-filter="{kind}" data-value="{_e(value)}">'
        f"{_e(label)}</button>"
    )


def _filters(report: RunReport) -> str:
    counts = report.counts()
    statuses = [_button("status", "", "all")]
    statuses += [_button("status", s, f"{s} ({counts[s]})") for s in STATUSES]
    tags = [_button("tag", "", "all")] + [_button("tag", t, t) for t in report.all_tags()]
    return (
        '<div class="filters" id="status-filters"><span class="label">Status:</span>'
        + "".join(statuses)
        + '</div><div class="filters" id="tag-filters"><span class="label">Tag:</span>'
        + "".join(tags)
        + '</div><div class="meta" id="shown-count"></div>'
    )


def render_html(report: RunReport, title: str = "Acceptance scenarios") -> str:
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{_e(title)}</h1><div class="meta" id="summary">'
        f"{_e(summarize(report.counts(), 'scenario'))} · generated {generated}</div>"
        f"{_filters(report)}</header><main>"
        + "".join(_feature(feature) for feature in report.features)
        + f"</main><script>{JS}</script></body></html>\n"
    )


def write_html(report: RunReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
