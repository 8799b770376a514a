"""The product's own features report the same, serial and in parallel.

The reporter's tests (tests/reporting/) prove this on a small project with failing and
undefined steps; this runs a slice of the real features both ways, with the real
database, and compares their Cucumber JSON.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SLICE = "users or counters or service_health"


def _report(out: Path, *extra: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "steps",
            "-p",
            "no:cacheprovider",
            "-q",
            "-m",
            SLICE,
            f"--bdd-report-dir={out}",
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((out / "cucumber.json").read_text())


def _outline(features: list[dict[str, Any]]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (
            feature["uri"],
            element["name"],
            [
                (step["keyword"] + step["name"], step["result"]["status"])
                for step in element["steps"]
            ],
        )
        for feature in features
        for element in feature["elements"]
    ]


def test_serial_and_parallel_runs_of_the_features_report_the_same(tmp_path: Path) -> None:
    serial = _outline(_report(tmp_path / "serial"))
    parallel = _outline(_report(tmp_path / "parallel", "-n", "2"))
    assert len(serial) > 20, "the slice should hold many scenarios"
    assert parallel == serial
    assert {status for *_, steps in serial for _, status in steps} == {"passed"}
