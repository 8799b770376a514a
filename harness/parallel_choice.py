"""Serial or parallel, and how many xdist workers: what `make acceptance` passes to pytest.

`python -m harness.parallel_choice steps` prints `-n 0` or `-n N`. The choice compares the
predicted wall time of a serial run with that of N workers on this machine:

- the suite's own work: the committed `.test_durations` (pytest-split's, per test) for the
  tests under the folder, the scenarios of the features it binds for their count;
- a worker costs its start-up (a Python process importing the suite and its plugins, then
  cloning the template database), paid on the machine's cores alongside the others;
- N workers share `cores` cores: the work divides by min(N, cores) at best, and the part of
  a run that is one scenario (the slowest) cannot be divided at all.

The constants are what `make bench` measured here (its serial and `-n 2` rows); a machine
where they differ much shifts the break-even point, not the shape of the rule.
"""

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# One xdist worker's start-up on one core: interpreter, the suite's imports with the
# explicit plugin list, collection, a clone of the template (measured ~1.5 s here).
WORKER_START_S = 1.5
# The controller's own extra work in a parallel run: starting workers, scheduling, reports.
CONTROLLER_S = 0.5
# Parallel must beat serial by this much: a near tie is not worth the noisier output.
MARGIN = 0.9
# A scenario with no recorded duration counts as the median of the recorded ones.
DEFAULT_SCENARIO_S = 0.05


@dataclass(frozen=True)
class Suite:
    durations_s: list[float]  # one per test

    @property
    def total_s(self) -> float:
        return sum(self.durations_s)

    @property
    def longest_s(self) -> float:
        return max(self.durations_s, default=0.0)


def predicted_wall_s(suite: Suite, workers: int, cores: int) -> float:
    """The part of a run's wall time that depends on the number of workers (0: serial)."""
    if workers == 0:
        return suite.total_s
    rounds = -(-workers // cores)  # workers start `cores` at a time
    startup = CONTROLLER_S + WORKER_START_S * rounds
    work = suite.total_s / min(workers, cores)
    return startup + max(work, suite.longest_s)


def choose_workers(suite: Suite, cores: int) -> int:
    """0 (serial) unless some worker count is predicted clearly faster."""
    best, best_wall = 0, predicted_wall_s(suite, 0, cores)
    for workers in range(2, max(cores, 1) + 1):
        wall = predicted_wall_s(suite, workers, cores)
        if wall < best_wall * MARGIN and wall < best_wall:
            best, best_wall = workers, wall
    return best


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_SCENARIO = re.compile(r"^\s*(?:Scenario Outline|Scenario Template|Scenario|Example)\s*:", re.M)
_TABLE_ROW = re.compile(r"^\s*\|", re.MULTILINE)


def scenario_count(features: Path) -> int:
    """Tests the feature files make: a scenario each, an outline one per Examples row."""
    count = 0
    for feature in features.rglob("*.feature"):
        blocks = _SCENARIO.split(feature.read_text(encoding="utf-8"))[1:]
        for block in blocks:
            examples = block.split("Examples:")[1:]
            # Each Examples table: its rows but the header.
            rows = sum(max(len(_TABLE_ROW.findall(table)) - 1, 0) for table in examples)
            count += rows if examples else 1
    return count


def suite_under(folder: str, root: Path = ROOT) -> Suite:
    """The recorded durations of the tests under `folder`, padded to the scenario count."""
    durations_file = root / ".test_durations"
    recorded: dict[str, float] = {}
    if durations_file.exists():
        recorded = json.loads(durations_file.read_text(encoding="utf-8"))
    prefix = folder.rstrip("/") + "/"
    known = [seconds for nodeid, seconds in recorded.items() if nodeid.startswith(prefix)]
    known_sorted = sorted(known)
    typical = known_sorted[len(known_sorted) // 2] if known_sorted else DEFAULT_SCENARIO_S
    missing = max(scenario_count(root / "features") - len(known), 0)
    return Suite(durations_s=known + [typical] * missing)


def main(argv: list[str]) -> int:
    folder = argv[1] if len(argv) > 1 else "steps"
    workers = choose_workers(suite_under(folder), available_cores())
    print(f"-n {workers}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
