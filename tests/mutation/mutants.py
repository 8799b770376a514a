"""Run the suite against a deliberately broken copy of the project.

A scenario that cannot fail proves nothing. These helpers copy the project to
a temporary folder, apply a textual mutation (remove a tenant filter, say), and
run pytest there in a subprocess, so tests/ can show which scenarios catch it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPY_IGNORE = shutil.ignore_patterns(
    ".venv",
    ".git",
    "reports",
    "mutants",
    "__pycache__",
    ".ruff_cache",
    ".pytest_cache",
    ".coverage*",
)


@dataclass(frozen=True)
class Mutation:
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class MutantRun:
    returncode: int
    output: str

    def failed(self, test_name_part: str) -> bool:
        return any(
            line.startswith("FAILED") and test_name_part in line
            for line in self.output.splitlines()
        )


def run_on_mutant(
    mutations: list[Mutation], pytest_args: list[str], timeout: int = 300, tenancy: str = "rows"
) -> MutantRun:
    workdir = Path(tempfile.mkdtemp(prefix="mutant-"))
    try:
        project = workdir / "project"
        shutil.copytree(ROOT, project, ignore=COPY_IGNORE)
        for mutation in mutations:
            target = project / mutation.path
            source = target.read_text()
            assert source.count(mutation.old) == 1, f"{mutation.old!r} not once in {mutation.path}"
            target.write_text(source.replace(mutation.old, mutation.new))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
        # The mode the mutation's scenarios were written for, whatever this run's mode is.
        env["TEST_TENANCY"] = tenancy
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rf", *pytest_args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return MutantRun(completed.returncode, completed.stdout + completed.stderr)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
