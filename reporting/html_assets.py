"""The HTML page's inline stylesheet and script (no network: nothing is fetched).

The script only reads the page: ``data-status`` / ``data-tags`` on each scenario, the names
and step texts for the search, ``data-open`` for the default open state of each section.
"""

CSS = r"""
:root { --pass:#1a7f37; --fail:#cf222e; --undef:#9a6700; --skip:#57606a; --line:#d0d7de;
  --header-height: 0px; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0;
  color: #1f2328; }
header { position: sticky; top: 0; background: #f6f8fa; border-bottom: 1px solid var(--line);
  padding: .6rem 1rem; z-index: 1; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
main { padding: 0 1rem 2rem; max-width: 72rem; }
[hidden] { display: none !important; }
[id] { scroll-margin-top: calc(var(--header-height) + .5rem); }
:target > details > summary { background: #fff8c5; }
.controls { display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: center;
  margin: .2rem 0 .3rem; }
#search { font: inherit; padding: .2rem .5rem; border: 1px solid var(--line); border-radius: .3rem;
  min-width: 20rem; flex: 0 1 30rem; }
.filters { display: flex; flex-wrap: wrap; gap: .3rem 1rem; align-items: center; }
.filters .label { font-weight: 600; }
button.filter, button.toggle { border: 1px solid var(--line); background: #fff; border-radius: 1rem;
  padding: .1rem .6rem; cursor: pointer; font: inherit; }
button.filter[aria-pressed="true"] { background: #0969da; color: #fff; border-color: #0969da; }
::highlight(search) { background: #ffd33d; color: inherit; }

.overview { margin-top: 1rem; }
.overview > h2 { font-size: 1.2rem; margin: .4rem 0; }
dl.run-info { display: flex; flex-wrap: wrap; gap: .3rem 1.6rem; margin: 0 0 .8rem; }
dl.run-info div { display: flex; flex-direction: column; }
dl.run-info dt { color: #57606a; font-size: .8rem; }
dl.run-info dd { margin: 0; font-weight: 600; }
table.overview-table { margin: 0; width: 100%; font-size: .95rem; }
.overview-table td.num, .overview-table th.num { text-align: right; width: 5.5rem;
  font-variant-numeric: tabular-nums; }
.overview-table td.zero { color: #8c959f; }
.overview-table td.failed:not(.zero) { color: var(--fail); font-weight: 700; }
.overview-table td.undefined:not(.zero) { color: var(--undef); font-weight: 700; }
.overview-table tfoot th { background: #f6f8fa; }
.overview-table .uri { display: block; }
.bar { display: flex; width: 12rem; height: .8rem; border-radius: .2rem; overflow: hidden;
  background: var(--line); }
.bar span { display: block; height: 100%; }
.bar .passed { background: var(--pass); } .bar .failed { background: var(--fail); }
.bar .undefined { background: var(--undef); } .bar .skipped { background: var(--skip); }

details > summary { list-style: none; cursor: pointer; position: relative; padding-left: 1.1rem; }
details > summary::-webkit-details-marker { display: none; }
details > summary::before { content: "\25B8"; position: absolute; left: 0; top: 0;
  color: #57606a; }
details[open] > summary::before { content: "\25BE"; }
summary h2, summary h3, summary h4 { display: inline; }
a.anchor { color: #8c959f; text-decoration: none; margin-left: .3rem; font-weight: 400;
  opacity: .4; }
summary:hover a.anchor, a.anchor:focus { opacity: 1; }
.feature { border-top: 2px solid var(--line); margin-top: 1.2rem; }
.feature > details > summary { padding-top: .6rem; }
.feature > details > summary::before { top: .7rem; font-size: 1.1rem; }
.feature h2 { font-size: 1.2rem; margin: 0; }
.rule { margin-left: 1rem; }
.rule > details > summary { margin: .8rem 0 .2rem; }
.rule h3 { font-size: 1.05rem; margin: 0; }
.scenario { border: 1px solid var(--line); border-left: 5px solid var(--skip); border-radius: 4px;
  margin: .6rem 0 .6rem 1rem; padding: .4rem .8rem; }
.scenario.passed { border-left-color: var(--pass); }
.scenario.failed { border-left-color: var(--fail); }
.scenario.undefined { border-left-color: var(--undef); }
.scenario h4 { margin: 0; font-size: 1rem; }
.scenario > details > summary .tags, .example-label { display: inline; margin-left: .4rem; }
.feature > details > :not(summary), .rule > details > :not(summary):not(.scenario) {
  margin-left: 1.1rem; }
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

@media print {
  body { font-size: 11pt; }
  header { position: static; border: 0; padding: 0; }
  .controls, .filters, a.anchor, details > summary::before { display: none !important; }
  main { max-width: none; padding: 0; }
  details > summary { padding-left: 0; }
  .badge, .bar span, .tag, li.step.failed, li.step.undefined, pre {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .scenario, li.step, tr { break-inside: avoid; }
  .feature > details > summary, .rule > details > summary { break-after: avoid; }
}
/* Printed, every section is open (also from a browser's own print without the script).
   Alone in its block: a browser that does not know the selector drops this rule only. */
@media print {
  details::details-content { display: block; content-visibility: visible; }
}
"""

JS = r"""
(function () {
  "use strict";
  var state = { status: "", tag: "", terms: [] };
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("article.scenario"));
  var sections = "details.feature-details, details.rule-details, details.scenario-details";
  var search = document.getElementById("search");

  function text(root, selector) {
    return Array.prototype.map.call(root.querySelectorAll(selector), function (e) {
      return e.textContent;
    }).join("\n").toLowerCase();
  }
  // What the search looks in: the feature's, rule's and scenario's names and the step texts.
  scenarios.forEach(function (s) {
    var feature = s.closest(".feature"), rule = s.closest(".rule");
    s.searchNames = [feature ? text(feature, ".feature-name") : "",
      rule ? text(rule, ".rule-name") : "", text(s, ".scenario-name")].join("\n");
    s.searchSteps = text(s, "li.step .text");
  });

  function matches(s) {
    var all = s.searchNames + "\n" + s.searchSteps;
    return state.terms.every(function (t) { return all.indexOf(t) >= 0; });
  }
  function inSteps(s) {
    return state.terms.some(function (t) { return s.searchSteps.indexOf(t) >= 0; });
  }
  function active() { return Boolean(state.status || state.tag || state.terms.length); }
  function ownDetails(element) { return element.querySelector(":scope > details"); }
  function restoreDefaults() {
    document.querySelectorAll(sections).forEach(function (d) {
      d.open = d.getAttribute("data-open") === "true";
    });
  }

  function highlight() {
    if (!(window.CSS && CSS.highlights && window.Highlight)) { return; }
    CSS.highlights.delete("search");
    if (!state.terms.length) { return; }
    var marks = new Highlight();
    var names = ".feature-name, .rule-name, .scenario-name, li.step .text";
    document.querySelectorAll(names).forEach(function (e) {
      var node = e.firstChild;
      if (e.closest("[hidden]") || !node || node.nodeType !== 3) { return; }
      var lower = node.data.toLowerCase();
      state.terms.forEach(function (t) {
        for (var at = lower.indexOf(t); at >= 0; at = lower.indexOf(t, at + t.length)) {
          if (at + t.length > node.length) { break; }
          var range = new Range();
          range.setStart(node, at);
          range.setEnd(node, at + t.length);
          marks.add(range);
        }
      });
    });
    CSS.highlights.set("search", marks);
  }

  // openSections: after the reader changed a filter or the search, open what now shows
  // (and the scenarios whose steps matched); with everything cleared, back to the defaults.
  function apply(openSections) {
    var shown = 0;
    scenarios.forEach(function (s) {
      var okStatus = !state.status || s.getAttribute("data-status") === state.status;
      var tags = " " + s.getAttribute("data-tags") + " ";
      var okTag = !state.tag || tags.indexOf(" " + state.tag + " ") >= 0;
      s.hidden = !(okStatus && okTag && matches(s));
      if (!s.hidden) { shown += 1; }
    });
    document.querySelectorAll(".rule, .feature").forEach(function (c) {
      c.hidden = !c.querySelector(".scenario:not([hidden])");
    });
    if (openSections && !active()) {
      restoreDefaults();
    } else if (openSections) {
      document.querySelectorAll(".rule:not([hidden]), .feature:not([hidden])").forEach(
        function (c) { ownDetails(c).open = true; });
      if (state.terms.length) {
        scenarios.forEach(function (s) {
          if (!s.hidden && inSteps(s)) { ownDetails(s).open = true; }
        });
      }
    }
    document.querySelectorAll("button.filter").forEach(function (b) {
      var kind = b.getAttribute("data-filter");
      b.setAttribute("aria-pressed", String(state[kind] === b.getAttribute("data-value")));
    });
    document.getElementById("shown-count").textContent =
      shown + " of " + scenarios.length + " scenarios shown";
    highlight();
  }

  // A link to a feature, rule or scenario opens it and every section around it (and a
  // feature's rules); a target the filters hide is shown by clearing them.
  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target || !target.closest(".feature")) { return; }
    if (target.closest("[hidden]")) {
      state.status = ""; state.tag = ""; state.terms = []; search.value = "";
      apply(true);
    }
    for (var e = target; e; e = e.parentElement) {
      if (e.tagName === "DETAILS") { e.open = true; }
    }
    var own = ownDetails(target);
    if (own) { own.open = true; }
    if (target.classList.contains("feature")) {  // a feature shows every scenario's title
      target.querySelectorAll("details.rule-details").forEach(function (d) { d.open = true; });
    }
    target.scrollIntoView();
  }
  function hashId() {
    try { return decodeURIComponent(location.hash.slice(1)); } catch (err) { return ""; }
  }

  function setAll(open) {
    document.querySelectorAll(sections).forEach(function (d) {
      if (!d.closest("[hidden]")) { d.open = open; }
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.filter");
    if (button) {
      state[button.getAttribute("data-filter")] = button.getAttribute("data-value");
      apply(true);
      return;
    }
    var toggle = event.target.closest("button.toggle");
    if (toggle) { setAll(toggle.id === "expand-all"); return; }
    var link = event.target.closest("a[href^='#']");
    if (link) {  // also when the hash is already the link's (no hashchange then)
      try { reveal(decodeURIComponent(link.getAttribute("href").slice(1))); } catch (err) { }
    }
  });
  search.addEventListener("input", function () {
    state.terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    apply(true);
  });
  window.addEventListener("hashchange", function () { reveal(hashId()); });

  // Printed, everything is open; the reader's open and closed sections come back afterwards.
  var beforePrint = null;
  window.addEventListener("beforeprint", function () {
    var all = Array.prototype.slice.call(document.querySelectorAll("details"));
    beforePrint = all.map(function (d) { return [d, d.open]; });
    all.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    (beforePrint || []).forEach(function (pair) { pair[0].open = pair[1]; });
    beforePrint = null;
  });

  function headerHeight() {
    var header = document.querySelector("header");
    document.documentElement.style.setProperty("--header-height", header.offsetHeight + "px");
  }
  window.addEventListener("resize", headerHeight);
  headerHeight();
  apply(false);
  reveal(hashId());
})();
"""
