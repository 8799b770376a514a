"""The mutation score, read from mutmut's own results (`mutants/`), never by running it.

`make mutation` (tests/mutation/run_mutmut.py) leaves mutmut's per-file results in
`mutants/app/**/*.py.meta` and the run's wall time in `mutants/mutation-run.json`.
`make bench` and `python -m bench.mutation` read them; without them there is no score.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
RUN_FILE = MUTANTS / "mutation-run.json"

# The modules the score is kept for (issue 13), as paths: a folder ends with "/".
MODULES = (
    "app/tenancy.py",
    "app/auth/",
    "app/repositories/",
    "app/db.py",
    "app/idempotency.py",
    "app/errors.py",
    "app/body_guard.py",
    "app/routes/",
)

# mutmut's exit codes per mutant (mutmut/stats.py): a test failed, or the mutant hung.
KILLED = {1, 3}
TIMEOUT = {-24, 24, 152, 255, 36}
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34}


@dataclass
class ModuleScore:
    module: str
    killed: int = 0
    survived: int = 0
    no_tests: int = 0
    other: int = 0  # not checked yet, suspicious, crashed

    @property
    def total(self) -> int:
        return self.killed + self.survived + self.no_tests + self.other

    @property
    def percent(self) -> float:
        """Of the mutants judged: the unjudged ones of a run cut short say nothing yet."""
        judged = self.total - self.other
        return 100.0 * self.killed / judged if judged else 0.0

    def add(self, exit_code: int | None) -> None:
        if exit_code in KILLED or exit_code in TIMEOUT:
            self.killed += 1
        elif exit_code in SURVIVED:
            self.survived += 1
        elif exit_code in NO_TESTS:
            self.no_tests += 1
        elif exit_code not in SKIPPED:
            self.other += 1


def module_of(source: str) -> str | None:
    return next(
        (m for m in MODULES if source == m or (m.endswith("/") and source.startswith(m))), None
    )


def scores(mutants: Path = MUTANTS) -> list[ModuleScore] | None:
    """Killed / total per module and overall (last row), or None before any run."""
    metas = sorted((mutants / "app").rglob("*.py.meta")) if (mutants / "app").is_dir() else []
    by_module = {m: ModuleScore(m) for m in MODULES}
    for meta in metas:
        module = module_of(meta.relative_to(mutants).as_posix().removesuffix(".meta"))
        if module is None:
            continue
        for exit_code in json.loads(meta.read_text())["exit_code_by_key"].values():
            by_module[module].add(exit_code)
    rows = [row for row in by_module.values() if row.total]
    if not rows:
        return None
    overall = ModuleScore("all")
    for row in rows:
        overall.killed += row.killed
        overall.survived += row.survived
        overall.no_tests += row.no_tests
        overall.other += row.other
    return [*rows, overall]


def run_info(path: Path = RUN_FILE) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.is_file() else None


def summary() -> dict[str, Any] | None:
    """For bench/results.json: the score per module and how long the run took."""
    rows = scores()
    if rows is None:
        return None
    return {
        "modules": {
            r.module: {
                "killed": r.killed,
                "total": r.total,
                "judged": r.total - r.other,
                "survived": r.survived,
            }
            for r in rows
        },
        "run": run_info(),
    }


def table(rows: list[ModuleScore]) -> str:
    lines = [
        "| module | killed / judged | score | survived | no tests | not judged |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.module} | {r.killed} / {r.total - r.other} | {r.percent:.1f}% | {r.survived} "
        f"| {r.no_tests} | {r.other} |"
        for r in rows
    ]
    return "\n".join(lines)


def main() -> int:
    rows = scores()
    if rows is None:
        print("No mutation results: run `make mutation` first.")
        return 1
    print(table(rows))
    info = run_info()
    if info:
        print(f"\n(last run: {info['wall_s'] / 60:.1f} min, modules: {', '.join(info['modules'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
