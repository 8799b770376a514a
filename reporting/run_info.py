"""What the HTML overview says about the run itself: when, how long, which commit, how run."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

GIT_TIMEOUT_S = 5


@dataclass(frozen=True)
class RunInfo:
    started: dt.datetime  # timezone-aware, UTC
    duration_s: float  # wall time of the run
    workers: int  # pytest-xdist workers; 0 for a serial run
    commit: str | None = None  # short hash, "+ local changes" when the tree is dirty
    selection: str | None = None  # the -m / -k expressions the run was given

    @property
    def mode(self) -> str:
        if self.workers == 0:
            return "serial"
        return f"{self.workers} worker{'s' if self.workers != 1 else ''} (pytest-xdist)"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git, not a repository, or too slow: the commit is left out
    return done.stdout.strip()


def git_commit(root: Path) -> str | None:
    """The checked-out commit of ``root``, or ``None`` outside a git repository."""
    commit = _git(root, "rev-parse", "--short=12", "HEAD")
    if not commit:
        return None
    changes = _git(root, "status", "--porcelain", "--untracked-files=no")
    return f"{commit} + local changes" if changes else commit


def _workers(config: pytest.Config) -> int:
    # pytest-xdist resolves -n auto / -n N into one "popen" gateway per worker.
    if getattr(config.option, "dist", "no") == "no":
        return 0
    return len(getattr(config.option, "tx", None) or [])


def _selection(config: pytest.Config) -> str | None:
    parts = [
        f"{flag} {value}"
        for flag, value in (("-m", config.option.markexpr), ("-k", config.option.keyword))
        if value
    ]
    return " ".join(parts) or None


def run_info(config: pytest.Config, duration_s: float) -> RunInfo:
    """Describe a run that is ending now and took ``duration_s`` seconds."""
    now = dt.datetime.now(dt.UTC)
    return RunInfo(
        started=now - dt.timedelta(seconds=duration_s),
        duration_s=duration_s,
        workers=_workers(config),
        commit=git_commit(config.rootpath),
        selection=_selection(config),
    )
