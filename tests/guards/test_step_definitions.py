"""Every step of the features has exactly one definition, and every definition is used.

Collects the features (without running them) with the reporting plugin's two gates: a step
whose text matches two definitions would be run by whichever module pytest-bdd loaded
last; a definition no scenario uses (counted per pattern) is dead code that reads as a
promise.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_step_matches_two_definitions_and_every_definition_is_used() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "steps",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            "--bdd-ambiguous-steps-gate",
            "--bdd-unused-steps-gate",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    summary = done.stdout[done.stdout.find("=====") :]
    assert "tests collected" in done.stdout, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.returncode == 0, summary
