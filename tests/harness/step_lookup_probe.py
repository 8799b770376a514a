"""A pytest plugin for tests/harness/test_step_lookup.py: after collection, asks pytest-bdd's
own step lookup and the index (harness.step_lookup) for every step of every collected
scenario (every Examples row), and prints how many steps it compared and where they differ.

Loaded with `-p tests.harness.step_lookup_probe` next to `-p harness.step_lookup`.
"""

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from harness.step_lookup import ORIGINAL, StepIndex

MARK = "STEP-LOOKUP"


def pytest_collection_finish(session: pytest.Session) -> None:
    index = StepIndex()  # a fresh one: nothing cached from an earlier run
    fixturemanager = session._fixturemanager
    compared, differences = 0, []
    for item in session.items:
        if not isinstance(item, pytest.Function):
            continue
        template = scenario_wrapper_template_registry.get(item.obj)
        if template is None:
            continue
        callspec = getattr(item, "callspec", None)
        params = dict(callspec.params.get("_pytest_bdd_example", {})) if callspec else {}
        for step in template.render(params).steps:
            theirs = list(ORIGINAL(step, fixturemanager, item))
            ours = list(index.find(step, fixturemanager, item))
            compared += 1
            if [id(d) for d in theirs] != [id(d) for d in ours]:
                differences.append(f"{item.nodeid}: {step.type} {step.name!r}: {theirs} != {ours}")
    print(f"\n{MARK} compared={compared} differences={len(differences)}")
    for difference in differences[:20]:
        print(f"{MARK} {difference}")
