"""Generated scenarios in a throwaway folder, bound to the suite's real steps and fixtures.

The folder lives outside the repository; pytest runs with the repository's pytest.ini,
`--rootdir` at the repository and its conftest loaded as a plugin (`-p conftest`), so the
generated scenarios use the real fixtures, the real database and the real isolation modes.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# The same business story in every database scenario: seed, one request, one check.
DATABASE_SCENARIO = """\
  Scenario: Acme lists its users, {kind} case {n}
    Given the tenant Acme
    And Alice is a member of Acme
    When Acme lists its users
    Then the list shows exactly Alice
"""

# The floor: pytest-bdd's own cost for a four-step scenario, no database at all.
FLOOR_SCENARIO = """\
  Scenario: A number is doubled, {kind} case {n}
    Given the number 21
    And nothing else
    When the number is doubled
    Then the number is 42
"""

FLOOR_STEPS = """
@pytest.fixture
def number_box() -> dict[str, int]:
    return {}


@given(parsers.parse("the number {value:d}"))
def the_number(number_box: dict[str, int], value: int) -> None:
    number_box["value"] = value


@given("nothing else")
def nothing_else() -> None:
    pass


@when("the number is doubled")
def doubled(number_box: dict[str, int]) -> None:
    number_box["value"] *= 2


@then(parsers.parse("the number is {value:d}"))
def number_is(number_box: dict[str, int], value: int) -> None:
    assert number_box["value"] == value
"""

# Feature kind -> (tags line, scenario template).
KINDS: dict[str, tuple[str, str]] = {
    "savepoint": ("@users", DATABASE_SCENARIO),
    "committed": ("@users @committed_data", DATABASE_SCENARIO),
    "floor": ("", FLOOR_SCENARIO),
}


@dataclass(frozen=True)
class GeneratedProject:
    root: Path

    @property
    def test_module(self) -> Path:
        return self.root / "test_generated.py"


def kind_of(nodeid: str) -> str | None:
    """Which generated feature a test id belongs to (the kind is in every scenario title)."""
    return next((kind for kind in KINDS if f"_{kind}_case_" in nodeid), None)


def feature_text(kind: str, scenarios: int) -> str:
    tags, template = KINDS[kind]
    body = "\n".join(template.format(kind=kind, n=n) for n in range(1, scenarios + 1))
    return f"{tags}\nFeature: Generated {kind} scenarios\n\n{body}"


@contextmanager
def generated_project(counts: dict[str, int]) -> Iterator[GeneratedProject]:
    """A folder with a feature per kind (kind -> number of scenarios), and a module binding them."""
    root = Path(tempfile.mkdtemp(prefix="bench-features-"))
    try:
        binds = []
        for kind, scenarios in counts.items():
            feature = root / f"{kind}.feature"
            feature.write_text(feature_text(kind, scenarios))
            binds.append(f'scenarios("{feature}")')
        module = (
            "import pytest\n"
            "from pytest_bdd import given, parsers, scenarios, then, when\n"
            + FLOOR_STEPS
            + "\n"
            + "\n".join(binds)
            + "\n"
        )
        project = GeneratedProject(root)
        project.test_module.write_text(module)
        yield project
    finally:
        shutil.rmtree(root, ignore_errors=True)
