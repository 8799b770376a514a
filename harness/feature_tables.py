"""Tables the features hold, read from their Examples: the one source for code that needs them.

The authorization feature is where the rights live and where a product owner reads them;
the exploration (harness.exploration) asks `may(role, action)`, so the two cannot drift.
"""

from functools import cache
from pathlib import Path
from typing import Any

from gherkin.parser import Parser

FEATURES = Path(__file__).resolve().parent.parent / "features"
FEATURE = FEATURES / "authorization.feature"
ALLOWED_OUTLINE = "As <role>, Alice may <action>"
REFUSED_OUTLINE = "As <role>, Alice may not <action>"
ROLES = {"an admin": "admin", "a member": "member"}


def outline_rows(feature: Path, outline: str) -> list[dict[str, str]]:
    """Every Examples row of the Scenario Outline named `outline` (inside a Rule), as a dict."""
    document: dict[str, Any] = dict(Parser().parse(feature.read_text()))
    rows: list[dict[str, str]] = []
    for child in document["feature"]["children"]:
        for item in child.get("rule", {}).get("children", []):
            scenario = item.get("scenario")
            if not scenario or scenario["name"] != outline:
                continue
            for examples in scenario["examples"]:
                header = [cell["value"] for cell in examples["tableHeader"]["cells"]]
                for row in examples["tableBody"]:
                    values = (cell["value"] for cell in row["cells"])
                    rows.append(dict(zip(header, values, strict=True)))
    assert rows, f"no Examples under {outline!r} in {feature.name}"
    return rows


@cache
def rights() -> dict[tuple[str, str], bool]:
    """(role, action) -> may the role do it; e.g. ("member", "add a user") -> False."""
    table: dict[tuple[str, str], bool] = {}
    for allowed, outline in ((True, ALLOWED_OUTLINE), (False, REFUSED_OUTLINE)):
        for row in outline_rows(FEATURE, outline):
            key = (ROLES[row["role"]], row["action"])
            assert key not in table, f"{key} is in the authorization table twice"
            table[key] = allowed
    return table


def may(role: str, action: str) -> bool:
    try:
        return rights()[role, action]
    except KeyError:
        raise AssertionError(
            f"the authorization table says nothing about {role}s and {action!r}"
        ) from None
