"""Guard: step definitions that no collected scenario uses.

It looks at the step definition fixtures pytest-bdd registered (``@given``/``@when``/``@then``
create fixtures named ``pytestbdd_stepdef_*``) that are visible to the collected scenarios, and
at the definition pytest-bdd would pick for every step of every collected scenario (every
Examples row). A Python function decorated several times counts as used when any of its
registrations is used. pytest-bdd's built-in ``trace`` steps are ignored.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


def find_unused_steps(items: Sequence[pytest.Item], rootpath: Path) -> list[StepDefinition]:
    """Step definitions visible to the BDD items in ``items`` that none of their steps use."""
    registered: dict[Callable[..., object], StepFunctionContext] = {}
    used: set[Callable[..., object]] = set()
    cache: dict[tuple[str, str, str], Callable[..., object] | None] = {}
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
        if ("", "", scope) not in cache:
            cache["", "", scope] = None
            for name in names:
                for fixturedef in getfixturedefs(fixturemanager, name, item) or []:
                    context = _context(fixturedef)
                    if context is not None and not _is_builtin(context.step_func):
                        registered.setdefault(context.step_func, context)
        params, _ = example_params(item)
        for step in template.render(params).steps:
            key = (step.type, step.name, scope)
            if key not in cache:
                found = list(find_fixturedefs_for_step(step, fixturemanager, item))
                found.sort(key=lambda fd: list(iterparentnodeids(fd.baseid)))
                chosen = _context(found[-1]) if found else None
                cache[key] = chosen.step_func if chosen else None
            func = cache[key]
            if func is not None:
                used.add(func)
    unused = [ctx for func, ctx in registered.items() if func not in used]
    return sorted({_describe(ctx, rootpath) for ctx in unused})


class _CollectUnused:
    def __init__(self) -> None:
        self.found: list[StepDefinition] | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        self.found = find_unused_steps(items, session.config.rootpath)


def collect_unused_steps(args: Sequence[str] = ()) -> list[StepDefinition]:
    """Collect (without running) the tests selected by ``args`` and return the unused steps.

    For a guard test in a fresh process, e.g.
    ``assert collect_unused_steps(["features", "steps"]) == []``.
    Raises ``RuntimeError`` if collection fails.
    """
    grab = _CollectUnused()
    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", *args], plugins=[grab])
    if grab.found is None or code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise RuntimeError(f"collection failed (exit code {code})")
    return grab.found
