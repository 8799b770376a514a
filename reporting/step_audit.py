"""Guards over step definitions: the ones no scenario uses, and step texts that match several.

It looks at the step definitions pytest-bdd registered (each ``@given``/``@when``/``@then``
registers a fixture named ``pytestbdd_stepdef_*`` whose function maps to one
``StepFunctionContext``) that are visible to the collected scenarios, and at every step of every
collected scenario (every Examples row):

- a definition is *unused* when no step picks it. Counted per registration, i.e. per pattern: a
  function decorated twice whose second pattern no step uses is reported too;
- a step is *ambiguous* when more than one definition matches its text. pytest-bdd then picks
  one by the order the step modules were loaded, which is an accident, not a decision.

pytest-bdd's built-in ``trace`` steps are ignored.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _pytest.fixtures import FixtureDef, FixtureManager
from pytest_bdd.compat import get_fixture_names, getfixturedefs
from pytest_bdd.scenario import find_fixturedefs_for_step, iterparentnodeids
from pytest_bdd.steps import StepFunctionContext, StepNamePrefix, step_function_context_registry

from .capture import example_params, scenario_template


@dataclass(frozen=True, order=True)
class StepDefinition:
    location: str  # "steps/users.py:12"
    type: str  # given / when / then / step
    pattern: str

    def describe(self) -> str:
        return f"{self.location}: @{self.type}({self.pattern!r})"


@dataclass(frozen=True, order=True)
class AmbiguousStep:
    type: str
    text: str
    definitions: tuple[StepDefinition, ...]

    def describe(self) -> str:
        lines = [f"{self.type.capitalize()} {self.text}    matches {len(self.definitions)}:"]
        return "\n".join(lines + [f"    {d.describe()}" for d in self.definitions])


@dataclass
class StepAudit:
    unused: list[StepDefinition] = field(default_factory=list)
    ambiguous: list[AmbiguousStep] = field(default_factory=list)


def _context(fixturedef: FixtureDef[object]) -> StepFunctionContext | None:
    return step_function_context_registry.get(fixturedef.func)


def _describe(context: StepFunctionContext, rootpath: Path) -> StepDefinition:
    func = context.step_func
    try:
        source = inspect.getsourcefile(func) or "?"
        source = Path(os.path.relpath(source, rootpath)).as_posix()
    except (TypeError, ValueError):
        source = "?"
    code: object = getattr(func, "__code__", None)
    line = getattr(code, "co_firstlineno", 0)
    return StepDefinition(f"{source}:{line}", context.type or "step", context.parser.name)


def _is_builtin(func: Callable[..., object]) -> bool:
    return getattr(func, "__module__", "").startswith("pytest_bdd")


def audit_steps(items: Sequence[pytest.Item], rootpath: Path) -> StepAudit:
    """Unused definitions and ambiguous steps among the BDD items in ``items``."""
    registered: dict[int, StepFunctionContext] = {}  # by id: one entry per registration
    used: set[int] = set()
    ambiguous: set[AmbiguousStep] = set()
    cache: dict[tuple[str, str, str], list[StepFunctionContext]] = {}
    scopes_seen: set[str] = set()
    fixturemanager: FixtureManager | None = None
    names: list[str] = []
    for item in items:
        template = scenario_template(item)
        if template is None:
            continue
        if fixturemanager is None:
            fixturemanager = item.session._fixturemanager
            prefix = StepNamePrefix.step_def.value
            names = [n for n in get_fixture_names(fixturemanager) if n.startswith(prefix)]
        scope = item.parent.nodeid if item.parent is not None else ""
        if scope not in scopes_seen:
            scopes_seen.add(scope)
            for name in names:
                for fixturedef in getfixturedefs(fixturemanager, name, item) or []:
                    context = _context(fixturedef)
                    if context is not None and not _is_builtin(context.step_func):
                        registered.setdefault(id(context), context)
        params, _ = example_params(item)
        for step in template.render(params).steps:
            key = (step.type, step.name, scope)
            if key not in cache:
                found = list(find_fixturedefs_for_step(step, fixturemanager, item))
                found.sort(key=lambda fd: list(iterparentnodeids(fd.baseid)))
                contexts = [c for c in map(_context, found) if c is not None]
                cache[key] = [c for c in contexts if not _is_builtin(c.step_func)]
            matching = cache[key]
            if matching:
                used.add(id(matching[-1]))  # the one pytest-bdd picks
            if len(matching) > 1:
                definitions = tuple(sorted(_describe(c, rootpath) for c in matching))
                ambiguous.add(AmbiguousStep(step.type, step.name, definitions))
    unused = [ctx for key, ctx in registered.items() if key not in used]
    return StepAudit(
        unused=sorted({_describe(ctx, rootpath) for ctx in unused}),
        ambiguous=sorted(ambiguous),
    )
