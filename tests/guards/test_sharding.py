"""The CI shards together run every scenario and test exactly once.

Collects (without running) what the unsplit run selects and what each pytest-split group
selects, with the split the workflow's matrix uses, for both pytest runs of `make test`.

pytest-randomly shuffles the items before pytest-split cuts the list into groups (its
collection hook runs first), so each shard must shuffle alike: the Makefile gives a sharded
run one seed (`RANDOM_SEED`, the CI run's id in every shard). The collections here shuffle
as a shard does, with one seed for all.
"""

import re
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.guards.test_ci_workflow import ROOT, shard_plan

# Any seed will do; the one a shard of a CI run gets is the run's id.
SEED = "20261126"
SHUFFLED = ["-p", "randomly", f"--randomly-seed={SEED}"]

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
    selections = [[*run, *SHUFFLED]] + [
        [*run, *SHUFFLED, "--splits", str(splits), "--group", str(g)] for g in groups
    ]
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


def test_a_sharded_run_shuffles_every_shard_with_the_same_seed() -> None:
    makefile = (ROOT / "Makefile").read_text()
    shard = re.search(r"^SHARD := --splits .*$", makefile, re.MULTILINE)
    assert shard, "the Makefile has no sharded SHARD line"
    assert "-p randomly --randomly-seed=$(RANDOM_SEED)" in shard.group(0), shard.group(0)
    assert "a sharded run needs RANDOM_SEED" in makefile, "a sharded run without a seed must stop"


def test_the_order_is_shuffled_and_shards_shuffled_apart_would_overlap() -> None:
    """Why one seed matters: the check above proves nothing if nothing was shuffled."""
    splits, _ = shard_plan()
    selections = [
        ["-p", "no:randomly"],
        SHUFFLED,
        ["-p", "randomly", "--randomly-seed=1", "--splits", str(splits), "--group", "1"],
        ["-p", "randomly", "--randomly-seed=2", "--splits", str(splits), "--group", "2"],
    ]
    with ThreadPoolExecutor(max_workers=len(selections)) as pool:
        unshuffled, shuffled, first, second = pool.map(lambda args: collected(*args), selections)
    assert Counter(shuffled) == Counter(unshuffled)
    assert shuffled != unshuffled, "pytest-randomly did not shuffle: the shards prove nothing"
    assert set(first) & set(second), "differently shuffled shards did not overlap: re-check"
