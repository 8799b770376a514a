"""An index over pytest-bdd's step lookup, so a step costs the same however many there are.

pytest-bdd 9 finds a step's definition (`pytest_bdd.scenario.find_fixturedefs_for_step`) by
walking every fixture name the session knows, asking pytest which definitions of each are
visible to the scenario, and trying each step definition's parser on the step's text: ~3 ms
a step here, for every step of every scenario, growing with the number of fixtures and step
definitions.

The answer depends only on the step (its type and text) and on which step definitions the
scenario sees, and those depend on where the scenario is (its module), not on which
scenario it is. So this plugin keeps, per fixture manager (one per session):

- per module (the scenario's parent node): the visible step definitions, in pytest-bdd's
  order, found once;
- per (module, step type, step text): the definitions that match, found once.

It answers exactly what pytest-bdd's own function answers, in the same order (pytest-bdd
then sorts them and picks the last): tests/harness/test_step_lookup.py compares both for
every step of every scenario. When fixtures are registered after a module's index was
made (the set of fixture names changes), that module's index is made again.
"""

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import pytest
from _pytest.fixtures import FixtureDef, FixtureManager
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

if TYPE_CHECKING:
    from _pytest.nodes import Node
    from pytest_bdd.parser import Step

# The module, not the `scenario` function pytest_bdd's package exports under the same name.
bdd_scenario: Any = importlib.import_module("pytest_bdd.scenario")
Lookup = Callable[["Step", FixtureManager, "Node"], Iterable[FixtureDef[object]]]
ORIGINAL: Lookup = bdd_scenario.find_fixturedefs_for_step


@dataclass
class _ScopeIndex:
    names_seen: int  # how many fixture names the session had when this was made
    definitions: list[tuple[FixtureDef[object], StepFunctionContext]]
    matches: dict[tuple[str | None, str], list[FixtureDef[object]]] = field(default_factory=dict)


def _fixture_name_count(fixturemanager: FixtureManager) -> int:
    # Both registries pytest-bdd's compat layer reads (pytest >= 9.2 has two).
    return sum(
        len(getattr(fixturemanager, registry, ()))
        for registry in ("_arg2node2fixturedefs", "_arg2nodeid2fixturedefs", "_arg2fixturedefs")
    )


def _visible_definitions(
    fixturemanager: FixtureManager, node: "Node"
) -> list[tuple[FixtureDef[object], StepFunctionContext]]:
    """What pytest-bdd's walk sees before matching: every visible step definition, in order."""
    found = []
    for fixturename in get_fixture_names(fixturemanager=fixturemanager):
        for fixturedef in getfixturedefs(fixturemanager, fixturename, node) or []:
            context = step_function_context_registry.get(fixturedef.func)
            if context is not None:
                found.append((fixturedef, context))
    return found


class StepIndex:
    def __init__(self) -> None:
        self._scopes: WeakKeyDictionary[FixtureManager, dict[Node, _ScopeIndex]] = (
            WeakKeyDictionary()
        )

    def _scope(self, fixturemanager: FixtureManager, node: "Node") -> _ScopeIndex:
        # Step definitions are fixtures of a module, a conftest or a plugin: what an item
        # sees is what its parent sees (an item's own fixtures are never step definitions).
        scope = node.parent if isinstance(node, pytest.Item) and node.parent else node
        scopes = self._scopes.setdefault(fixturemanager, {})
        names = _fixture_name_count(fixturemanager)
        index = scopes.get(scope)
        if index is None or index.names_seen != names:
            index = _ScopeIndex(names, _visible_definitions(fixturemanager, node))
            scopes[scope] = index
        return index

    def find(
        self, step: "Step", fixturemanager: FixtureManager, node: "Node"
    ) -> Iterator[FixtureDef[object]]:
        """pytest_bdd.scenario.find_fixturedefs_for_step, answered from the index."""
        index = self._scope(fixturemanager, node)
        key = (step.type, step.name)
        matching = index.matches.get(key)
        if matching is None:
            matching = [
                fixturedef
                for fixturedef, context in index.definitions
                if (context.type is None or context.type == step.type)
                and context.parser.is_matching(step.name)
            ]
            index.matches[key] = matching
        return iter(list(matching))


def step_functions(
    step: "Step", fixturemanager: FixtureManager, node: "Node"
) -> list[Callable[..., object]]:
    """The functions of every definition matching `step` (one, unless it is ambiguous)."""
    found = []
    for fixturedef in _INDEX.find(step, fixturemanager, node):
        context = step_function_context_registry.get(fixturedef.func)
        if context is not None:
            found.append(context.step_func)
    return found


def find_fixturedefs_for_step(
    step: "Step", fixturemanager: FixtureManager, node: "Node"
) -> Iterator[FixtureDef[object]]:
    return _INDEX.find(step, fixturemanager, node)


_INDEX = StepIndex()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-bdd looks the function up in its module at each step: replacing it there is
    # enough. Put back at the end, for any session run in the same process after this one.
    bdd_scenario.find_fixturedefs_for_step = find_fixturedefs_for_step


def pytest_unconfigure(config: pytest.Config) -> None:
    bdd_scenario.find_fixturedefs_for_step = ORIGINAL
