"""The HTML living documentation: structure (stdlib parser) and filters (headless Chromium)."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
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


def _chromium_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(browser).exists() and Path(driver).exists()):
        pytest.fail(f"Chromium not found ({browser}, {driver}); {INSTALL_HINT}")
    return browser, driver


def test_html_filters_by_tag_and_status_in_a_browser(run_project: RunProject) -> None:
    browser, driver_path = _chromium_paths()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
    except ImportError:
        pytest.fail(f"selenium is not installed; {INSTALL_HINT}")
    run = run_project()
    page_url = (run.report_dir / "report.html").as_uri()

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
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    try:
        driver.set_page_load_timeout(30)
        driver.get(page_url)

        def visible(selector: str) -> list[str]:
            return [
                e.get_attribute("data-nodeid") or e.text.splitlines()[0]
                for e in driver.find_elements(By.CSS_SELECTOR, selector)
                if e.is_displayed()
            ]

        def click(kind: str, value: str) -> None:
            selector = f'button.filter[data-filter="{kind}"][data-value="{value}"]'
            driver.find_element(By.CSS_SELECTOR, selector).click()

        def shown() -> str:
            return driver.find_element(By.ID, "shown-count").text

        assert len(visible(".scenario")) == 6
        assert shown() == "6 of 6 scenarios shown"

        click("tag", "@withdrawal")
        assert [n.split("::")[-1] for n in visible(".scenario")] == [
            "test_withdraw_money[100-30-70]",
            "test_withdraw_money[50-50-0]",
            "test_withdrawing_more_than_the_balance_is_refused",
        ]
        assert len(visible(".rule")) == 1

        click("status", "failed")
        assert [n.split("::")[-1] for n in visible(".scenario")] == [
            "test_withdrawing_more_than_the_balance_is_refused"
        ]
        assert shown() == "1 of 6 scenarios shown"
        button = 'button.filter[data-filter="status"][data-value="failed"]'
        assert driver.find_element(By.CSS_SELECTOR, button).get_attribute("aria-pressed") == "true"

        click("tag", "@smoke")  # no failed scenario has @smoke: everything is hidden
        assert visible(".scenario") == []
        assert visible(".feature") == []

        click("tag", "")
        click("status", "undefined")
        assert [n.split("::")[-1] for n in visible(".scenario")] == [
            "test_interest_is_paid_once_a_year"
        ]
        assert visible(".rule") == []  # the rule has no undefined scenario
        assert len(visible(".feature")) == 1

        click("status", "")
        assert len(visible(".scenario")) == 6
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
