"""The HTML living documentation: structure (stdlib parser); filters, search, folding, anchors
and print in headless Chromium."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reporting.html_report import Anchors
from reporting.run_info import RunInfo, git_commit

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

    from tests.reporting.conftest import RunProject

VOID = {"meta", "br", "hr", "img", "input", "link"}
INSTALL_HINT = (
    "the browser test needs Chromium and its driver: "
    "apt-get update && apt-get install -y chromium chromium-driver "
    "(and `pip install selenium==4.51.0`)"
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    content: list[str | Element] = field(default_factory=list)  # text and child elements, in order

    @property
    def children(self) -> list[Element]:
        return [c for c in self.content if isinstance(c, Element)]

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def all_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.all_text() for c in self.content)

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                found.append(child)
            found.extend(child.find_all(tag, cls))
        return found


class TreeBuilder(HTMLParser):
    """A strict little DOM: every non-void element must be closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].content.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].content.append(data)


def parse(html: str) -> Element:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], "unclosed elements"
    return builder.root


def test_html_shows_features_rules_scenarios_steps_and_filters(run_project: RunProject) -> None:
    run = run_project()
    html = run.html()
    page = parse(html)

    # Self-contained: no external stylesheet, script, font or image.
    assert not page.find_all("link")
    assert all("src" not in s.attrs for s in page.find_all("script"))
    assert "http://" not in html and "https://" not in html and "@import" not in html

    [feature] = page.find_all("section", "feature")
    assert "Feature: Banking" in feature.find_all("h2")[0].all_text()
    [rule] = feature.find_all("section", "rule")
    assert "Rule: Withdrawals need enough money" in rule.all_text()
    scenarios = feature.find_all("article", "scenario")
    assert [s.attrs["data-status"] for s in scenarios] == [
        "passed",
        "passed",
        "undefined",
        "passed",
        "passed",
        "failed",
    ]
    assert len(rule.find_all("article", "scenario")) == 3
    deposit = scenarios[0]
    assert deposit.attrs["data-tags"] == "@banking @smoke"
    assert {t.all_text() for t in deposit.find_all("span", "tag")} == {"@banking", "@smoke"}
    steps = deposit.find_all("li", "step")
    assert [s.find_all("span", "text")[0].all_text() for s in steps] == [
        "the bank is open",
        "Alice has an account with 100 euros",
        "Alice deposits 50 euros",
        "Alice has 150 euros",
    ]
    assert "0." in deposit.find_all("span", "duration")[0].all_text()

    statement = scenarios[1]
    [table] = statement.find_all("table", "datatable")
    assert [[c.all_text() for c in row.children] for row in table.find_all("tr")] == [
        ["date", "amount"],
        ["2024-01-01", "100"],
        ["2024-01-02", "-30"],
    ]
    [doc] = statement.find_all("pre", "docstring")
    assert doc.all_text() == "2024-01-01 100\n2024-01-02 -30"

    # Each outline row shows the Examples parameters of that row.
    outline_rows = []
    for scenario in scenarios[3:5]:
        [example] = scenario.find_all("div", "example")
        assert "enough money" in example.all_text()
        outline_rows.append([[c.all_text() for c in r.children] for r in example.find_all("tr")])
        assert "@fast" in scenario.attrs["data-tags"].split()
    assert outline_rows == [
        [["start", "amount", "left"], ["100", "30", "70"]],
        [["start", "amount", "left"], ["50", "50", "0"]],
    ]

    refused = scenarios[5]
    [failed_step] = refused.find_all("li", "failed")
    assert "Alice has 20 euros" in failed_step.all_text()
    assert "expected 20 euros, got -30" in failed_step.find_all("pre", "error")[0].all_text()
    assert refused.find_all("details", "error-details")

    buttons = page.find_all("button", "filter")
    status_values = {b.attrs["data-value"] for b in buttons if b.attrs["data-filter"] == "status"}
    tag_values = {b.attrs["data-value"] for b in buttons if b.attrs["data-filter"] == "tag"}
    assert status_values == {"", "passed", "failed", "undefined", "skipped"}
    assert tag_values == {"", "@banking", "@broken", "@fast", "@smoke"} | {
        "@statements",
        "@interest",
        "@withdrawal",
    }
    assert page.find_all("script")


SCENARIO_IDS = [
    "banking/deposit-money",
    "banking/statement-lists-the-transactions",
    "banking/interest-is-paid-once-a-year",
    "banking/withdraw-money/enough-money-1",
    "banking/withdraw-money/enough-money-2",
    "banking/withdrawing-more-than-the-balance-is-refused",
]
RULE_ID = "banking/withdrawals-need-enough-money"


def _facts(page: Element) -> dict[str, str]:
    [facts] = page.find_all("dl", "run-info")
    return {
        fact.find_all("dt")[0].all_text(): fact.find_all("dd")[0].all_text()
        for fact in facts.children
    }


def _folding(page: Element) -> dict[str, bool]:
    """id -> whether that feature, rule or scenario starts open."""
    return {
        section.attrs["id"]: "open" in section.children[0].attrs
        for section in page.find_all("section", "feature")
        + page.find_all("section", "rule")
        + page.find_all("article", "scenario")
    }


def test_html_overview_anchors_and_folding(run_project: RunProject) -> None:
    page = parse(run_project().html())

    # The overview: the feature's scenarios by status, a link to it, the run's facts.
    [overview] = page.find_all("section", "overview")
    [row] = overview.find_all("tr", "overview-row")
    [link] = row.find_all("a")
    assert (link.all_text(), link.attrs["href"]) == ("Banking", "#banking")
    cells = [c.all_text() for c in row.find_all("td", "num")]
    assert cells == ["6", "4", "1", "1", "0"]  # scenarios, passed, failed, undefined, skipped
    [total] = overview.find_all("tfoot")
    assert [c.all_text() for c in total.find_all("th", "num")] == cells
    facts = _facts(page)
    assert facts["Scenarios"] == "6 scenarios (4 passed, 1 failed, 1 undefined)"
    assert facts["Steps"].startswith("23 steps (")
    assert re.fullmatch(r"\d+\.\d s", facts["Duration"]), facts
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", facts["Date"]), facts
    assert facts["Run"] == "serial"
    assert set(facts) <= {"Scenarios", "Steps", "Duration", "Date", "Run", "Commit"}

    # An anchor (id) on every feature, rule and scenario, and a link to it in its heading.
    [feature] = page.find_all("section", "feature")
    scenarios = feature.find_all("article", "scenario")
    assert feature.attrs["id"] == "banking"
    assert [s.attrs["id"] for s in scenarios] == SCENARIO_IDS
    assert [r.attrs["id"] for r in feature.find_all("section", "rule")] == [RULE_ID]
    for section in [feature, *feature.find_all("section", "rule"), *scenarios]:
        summary = section.children[0].children[0]
        assert summary.tag == "summary"
        anchor = summary.find_all("a", "anchor")[0]
        assert anchor.attrs["href"] == "#" + section.attrs["id"]
    ids = [e.attrs["id"] for e in page.find_all() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), "ids are unique"

    # Folded: failed and undefined open (with what holds them), passed closed.
    assert _folding(page) == {
        "banking": True,
        RULE_ID: True,
        "banking/deposit-money": False,
        "banking/statement-lists-the-transactions": False,
        "banking/interest-is-paid-once-a-year": True,
        "banking/withdraw-money/enough-money-1": False,
        "banking/withdraw-money/enough-money-2": False,
        "banking/withdrawing-more-than-the-balance-is-refused": True,
    }
    # A folded outline row still says which Examples row it ran.
    labels = [s.find_all("span", "example-label") for s in scenarios[3:5]]
    assert [label.all_text() for [label] in labels] == [
        "enough money, row 1: start 100, amount 30, left 70",
        "enough money, row 2: start 50, amount 50, left 0",
    ]


def test_html_a_run_that_passed_starts_folded_and_says_how_it_was_selected(
    run_project: RunProject,
) -> None:
    page = parse(run_project("-m", "not broken and not interest").html())
    assert set(_folding(page).values()) == {False}
    assert _facts(page)["Run"] == "serial, -m not broken and not interest"


def test_anchors_are_readable_and_unique() -> None:
    anchors = Anchors()
    made = [
        anchors.make("Tenants are kept apart"),
        anchors.make("tenants-are-kept-apart", "Each tenant lists only its own users"),
        anchors.make("tenants-are-kept-apart", "Each tenant lists only its own users"),
        anchors.make("Comptes et dépôts", "Dépôt: 100 €"),
    ]
    assert made == [
        "tenants-are-kept-apart",
        "tenants-are-kept-apart/each-tenant-lists-only-its-own-users",
        "tenants-are-kept-apart/each-tenant-lists-only-its-own-users-2",
        "comptes-et-dépôts/dépôt-100",
    ]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_the_run_names_its_commit_and_how_it_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # no repository around it
    assert git_commit(tmp_path) is None

    _git(tmp_path, "init", "-q")
    (tmp_path / "notes.txt").write_text("one\n")
    _git(tmp_path, "add", "notes.txt")
    _git(tmp_path, "-c", "user.name=Alice", "-c", "user.email=a@example.com", "commit", "-qm", "x")
    head = _git(tmp_path, "rev-parse", "--short=12", "HEAD")
    assert git_commit(tmp_path) == head
    (tmp_path / "notes.txt").write_text("two\n")
    assert git_commit(tmp_path) == f"{head} + local changes"

    started = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert [RunInfo(started, 1.0, workers).mode for workers in (0, 1, 4)] == [
        "serial",
        "1 worker (pytest-xdist)",
        "4 workers (pytest-xdist)",
    ]


def _chromium_paths() -> tuple[str, str]:
    # CHROME_BIN and CHROMEDRIVER first: a CI runner's own Chrome (see `make browser`).
    browser = os.environ.get("CHROME_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
    driver = (
        os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
    )
    if not (Path(browser).exists() and Path(driver).exists()):
        pytest.fail(f"Chromium not found ({browser}, {driver}); {INSTALL_HINT}")
    return browser, driver


class Page:
    """The report open in headless Chromium, read and clicked as a reader would."""

    def __init__(self, driver: WebDriver, url: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver, self.url, self.by = driver, url, By
        driver.set_page_load_timeout(30)
        driver.get(url)

    def visible(self, selector: str) -> list[str]:
        """id (else first line of text) of every element the reader can see."""
        return [
            e.get_attribute("id") or e.text.splitlines()[0]
            for e in self.driver.find_elements(self.by.CSS_SELECTOR, selector)
            if e.is_displayed()
        ]

    def scenarios(self) -> list[str]:
        return self.visible(".scenario")

    def steps_of(self, scenario_id: str) -> list[str]:
        steps = self.driver.find_elements(self.by.CSS_SELECTOR, f'[id="{scenario_id}"] li.step')
        return [s.text for s in steps if s.is_displayed()]

    def click(self, selector: str) -> None:
        self.driver.find_element(self.by.CSS_SELECTOR, selector).click()

    def filter(self, kind: str, value: str) -> None:
        self.click(f'button.filter[data-filter="{kind}"][data-value="{value}"]')

    def search(self, text: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.driver.find_element(self.by.ID, "search")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(Keys.BACKSPACE)  # typed, so the page sees input events as from a reader
        if text:
            box.send_keys(text)

    def shown(self) -> str:
        return str(self.driver.find_element(self.by.ID, "shown-count").text)

    def script(self, code: str) -> object:
        return self.driver.execute_script(code)


@pytest.fixture
def open_report() -> Iterator[Callable[[Path], Page]]:
    browser, driver_path = _chromium_paths()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"selenium is not installed; {INSTALL_HINT}")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        yield lambda report_dir: Page(driver, (report_dir / "report.html").as_uri())
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_html_filters_by_tag_and_status_in_a_browser(
    run_project: RunProject, open_report: Callable[[Path], Page]
) -> None:
    page = open_report(run_project().report_dir)

    assert len(page.scenarios()) == 6
    assert page.shown() == "6 of 6 scenarios shown"

    page.filter("tag", "@withdrawal")
    assert page.scenarios() == SCENARIO_IDS[3:]
    assert len(page.visible(".rule")) == 1

    page.filter("status", "failed")
    assert page.scenarios() == SCENARIO_IDS[5:]
    assert page.shown() == "1 of 6 scenarios shown"
    button = 'button.filter[data-filter="status"][data-value="failed"]'
    assert page.driver.find_element(page.by.CSS_SELECTOR, button).get_attribute("aria-pressed")

    page.filter("tag", "@smoke")  # no failed scenario has @smoke: everything is hidden
    assert page.scenarios() == []
    assert page.visible(".feature") == []

    page.filter("tag", "")
    page.filter("status", "undefined")
    assert page.scenarios() == ["banking/interest-is-paid-once-a-year"]
    assert page.visible(".rule") == []  # the rule has no undefined scenario
    assert len(page.visible(".feature")) == 1

    page.filter("status", "")
    assert len(page.scenarios()) == 6


def test_html_search_folding_anchors_and_print_in_a_browser(
    run_project: RunProject, open_report: Callable[[Path], Page]
) -> None:
    run = run_project("-n", "2")
    assert _facts(parse(run.html()))["Run"] == "2 workers (pytest-xdist)"
    page = open_report(run.report_dir)
    deposit, refused = SCENARIO_IDS[0], SCENARIO_IDS[5]

    # Folded as it opens: a passed scenario shows its title only, a failed one its steps.
    assert len(page.scenarios()) == 6
    assert page.steps_of(deposit) == []
    assert len(page.steps_of(refused)) == 4
    page.click(f'[id="{deposit}"] > details > summary')
    assert len(page.steps_of(deposit)) == 4
    page.click(f'[id="{refused}"] > details > summary')
    assert page.steps_of(refused) == []

    # The search looks in step text; a match in the steps unfolds its scenario; the
    # scenarios shown and "N of M" agree; the matches are highlighted.
    page.search("withdraws")
    assert page.scenarios() == SCENARIO_IDS[3:]
    assert page.shown() == "3 of 6 scenarios shown"
    assert "When Alice withdraws 30 euros" in page.steps_of(SCENARIO_IDS[3])[2]
    assert page.script("return CSS.highlights.get('search').size") == 3
    page.search("Alice 20")  # every word, in any step of the scenario
    assert page.scenarios() == [refused]
    page.search("statement")  # in a scenario's name
    assert page.scenarios() == [SCENARIO_IDS[1]]
    page.search("BANKING")  # in the feature's name: every scenario, any case
    assert page.shown() == "6 of 6 scenarios shown"

    # Search and filters together.
    page.search("withdraw")
    page.filter("status", "passed")
    assert page.scenarios() == SCENARIO_IDS[3:5]
    assert page.shown() == "2 of 6 scenarios shown"
    page.filter("tag", "@smoke")
    assert page.scenarios() == []
    assert page.shown() == "0 of 6 scenarios shown"
    page.filter("tag", "")
    page.filter("status", "")
    page.search("nothing like this")
    assert (page.scenarios(), page.visible(".feature")) == ([], [])
    page.search("")  # all cleared: back to how the page opened
    assert page.shown() == "6 of 6 scenarios shown"
    assert (page.steps_of(deposit), len(page.steps_of(refused))) == ([], 4)

    # Collapse all, expand all.
    page.click("#collapse-all")
    assert page.scenarios() == []  # the feature itself is folded
    page.click("#expand-all")
    assert len(page.visible("li.step")) == 23

    # A link to a scenario opens it and every section around it, here from a fresh load...
    page.click("#collapse-all")
    page.driver.get("about:blank")
    page.driver.get(f"{page.url}#{SCENARIO_IDS[4]}")
    assert page.script("return document.querySelector(':target').id") == SCENARIO_IDS[4]
    assert len(page.steps_of(SCENARIO_IDS[4])) == 4
    assert page.steps_of(SCENARIO_IDS[3]) == []
    # ...within the page, also to a scenario the filters hide (the filters are cleared)...
    page.filter("status", "failed")
    page.driver.get(f"{page.url}#{deposit}")
    assert page.shown() == "6 of 6 scenarios shown"
    assert len(page.steps_of(deposit)) == 4
    # ...and from the overview.
    page.click("#collapse-all")
    page.click('.overview-row a[href="#banking"]')
    assert len(page.scenarios()) == 6

    # Printed: everything unfolded (even a closed section), the buttons left out.
    page.click("#collapse-all")
    page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert (
            page.script(
                "return Array.from(document.querySelectorAll('li.step'))"
                ".filter(function (s) { return s.checkVisibility(); }).length"
            )
            == 23
        )
        assert page.visible("#search, .filters, button") == []
    finally:
        page.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
