"""The CI shards together run every scenario and test exactly once.

Collects (without running) what the unsplit run selects and what each pytest-split group
selects, with the split the workflow's matrix uses, for both pytest runs of `make test`.
"""

import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.guards.test_ci_workflow import ROOT, shard_plan

# The pytest runs of `make test`: everything, the isolation features without RLS, and the
# faults and races on the other driver.
RUNS = {
    "everything": [],
    "isolation without rls": ["steps", "-m", "tenant_isolation", "--without-rls"],
    "faults and races on the other driver": ["steps", "-m", "failures or concurrency"],
}


def collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.parametrize("run", RUNS.values(), ids=RUNS.keys())
def test_the_shards_together_select_every_test_exactly_once(run: list[str]) -> None:
    splits, groups = shard_plan()
    selections = [list(run)] + [[*run, "--splits", str(splits), "--group", str(g)] for g in groups]
    # Side by side: each collection is mostly pytest starting up and importing.
    with ThreadPoolExecutor(max_workers=len(selections)) as pool:
        whole, *shards = pool.map(lambda args: collected(*args), selections)
    assert whole, "nothing collected: the check would prove nothing"
    assert all(shards), f"an empty shard: {[len(s) for s in shards]}"
    # Counted, not deduplicated: schemathesis's items share one node id per operation.
    together = Counter(test for shard in shards for test in shard)
    extra = together - Counter(whole)
    assert not extra, f"in more than one shard: {sorted(extra)}"
    missing = Counter(whole) - together
    assert not missing, f"in no shard: {sorted(missing)}"
