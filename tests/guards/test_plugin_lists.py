"""The Makefile's runs load only the plugins they name, and name every plugin they need.

`make acceptance`, `make test` and `make explore` run pytest with entry-point autoloading
off and an explicit `-p` list (the Makefile's PLUGINS and TEST_PLUGINS). A plugin missing
from a list shows up as an option pytest does not know (`--cov`, `--splits`, `-n`), as
features that are not collected, or as tests that vanish (schemathesis's). So each
command line the Makefile runs (recorded by running `make` with a stand-in for pytest) is
collected as written (it must succeed: every option it passes is known) and, unless it
selects by marker (a subset of a run compared in full), with autoloading on too: the
same tests. And xdist's workers must load the same plugins as their controller.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RECORDER = Path(__file__).with_name("record_pytest.py")
TIMEOUT_S = 180


def _recorded_runs(tmp_path: Path) -> list[dict[str, object]]:
    record = tmp_path / "runs.jsonl"
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-o",
            "lint",
            "-o",
            "browser",
            "STAMP=",
            f"BIN={Path(sys.executable).parent}",
            f"PYTEST_BIN={sys.executable} {RECORDER}",
            f"REPORTS={tmp_path / 'reports'}",
            # Sharded as CI runs it, so the lines carry pytest-split's options too.
            "SPLITS=2",
            "GROUP=1",
            "RANDOM_SEED=1",  # a sharded run shuffles alike in every shard
            "acceptance",
            "test",
            "explore",
        ],
        cwd=ROOT,
        env={**os.environ, "RECORD_PYTEST": str(record)},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in record.read_text().splitlines()]


def _autoloaded(args: list[str]) -> list[str]:
    """The same command line with autoloading on and no plugin named (but `no:` ones)."""
    kept: list[str] = []
    skip = False
    for position, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--disable-plugin-autoload":
            continue
        if arg == "-p" and not args[position + 1].startswith("no:"):
            skip = True
            continue
        kept.append(arg)
    return kept


def _collect(args: list[str], env: dict[str, str]) -> list[str]:
    extra = ["--collect-only", "-n", "0"]
    if "-q" not in args:
        extra.append("-q")  # one -q in all: one test id a line
    if any(arg.startswith("--cov") for arg in args):
        extra.append("--no-cov")  # no coverage floor on a collection
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, *extra],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert done.returncode == 0, f"pytest {' '.join(args)}\n{done.stdout[-3000:]}{done.stderr}"
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_every_run_of_the_makefile_collects_what_autoloading_would(tmp_path: Path) -> None:
    runs = _recorded_runs(tmp_path)
    assert len(runs) == 6, runs  # acceptance, test's four runs, explore
    for run in runs:
        args = [str(a) for a in run["args"]]  # type: ignore[attr-defined]
        env = {str(k): str(v) for k, v in run["env"].items()}  # type: ignore[attr-defined]
        assert "--disable-plugin-autoload" in args, args
        explicit = _collect(args, env)
        assert explicit, f"nothing collected by {args}"
        if "-m" in args:
            continue  # a marker's subset of a run compared in full (same plugin list)
        # Sorted: with autoloading pytest-randomly shuffles runs that do not name it.
        autoloaded = _collect(_autoloaded(args), env)
        assert sorted(explicit) == sorted(autoloaded), f"collections differ for {args}"


PROBE = """
import json, os

def pytest_configure(config):
    worker = getattr(config, "workerinput", {}).get("workerid", "controller")
    names = sorted(
        name for name, plugin in config.pluginmanager.list_name_plugin()
        if plugin is not None and not name.isdigit()
    )
    entry_points = [dist.project_name for _, dist in config.pluginmanager.list_plugin_distinfo()]
    with open(os.path.join(os.environ["PLUGIN_PROBE_DIR"], worker + ".json"), "w") as out:
        json.dump({"names": names, "entry_points": entry_points}, out)
"""


def test_xdist_workers_load_the_plugins_their_controller_loads(tmp_path: Path) -> None:
    runs = _recorded_runs(tmp_path)
    args = [str(a) for a in runs[0]["args"]]  # type: ignore[attr-defined]  # acceptance
    (tmp_path / "plugin_probe.py").write_text(PROBE)
    probes = tmp_path / "probes"
    probes.mkdir()
    env = {
        **os.environ,
        "PLUGIN_PROBE_DIR": str(probes),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "plugin_probe", "-n", "2", "-k", "health"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    seen = {path.stem: json.loads(path.read_text()) for path in probes.glob("*.json")}
    assert set(seen) == {"controller", "gw0", "gw1"}, seen.keys()
    named = {args[i + 1] for i, arg in enumerate(args) if arg == "-p"} - {"no:cacheprovider"}
    for process, plugins in seen.items():
        assert plugins["entry_points"] == [], f"{process} autoloaded {plugins['entry_points']}"
        assert named <= set(plugins["names"]), f"{process} lacks {named - set(plugins['names'])}"
