"""`make mutation`: mutmut 3 over the code whose bugs cost most, judged by the acceptance features.

mutmut (setup.cfg, [mutmut]) copies app/ with every mutant behind a switch into
`mutants/`, runs the features once to learn which scenarios reach which function, then
runs, per mutant, only those scenarios in a process forked from its own (imports done):
a pytest session per mutant. All of them use one database migrated here
(TEST_DATABASE_NAME, emptied at each session's start) on one server (TEST_DATABASE_URL,
or one throwaway cluster for the run): no cluster and no CREATE DATABASE per mutant.

Passes:
1. every mutant, with row-level security on (the service as it runs);
2. the survivors in the modules that hold the application's own tenant filters, again
   with `--without-rls`: there RLS alone would hide a missing filter, so a mutant the
   database layer covers is killed by the application layer's scenarios;
3. the survivors where the schema-per-tenant mode has code of its own (app/db.py,
   app/tenancy.py), with `TEST_TENANCY=schemas`;
4. the survivors where the driver shows (app/errors.py), on psycopg 3.

    python -m tests.mutation.run_mutmut                       # everything, from scratch
    python -m tests.mutation.run_mutmut --module app/errors.py  # one module (or folder)
    python -m tests.mutation.run_mutmut --incremental  # only mutants not judged yet
    python -m tests.mutation.run_mutmut --reruns-only  # passes 2-4 again on the results there
    python -m tests.mutation.run_mutmut 'app.idempotency.x_claim__mutmut_4*'
        # these mutants again (after a scenario was written for them), keeping the rest
"""

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import mutation
from harness.provision import worker_database_name
from harness.suite_database import postgres_server, suite_database

ROOT = Path(__file__).resolve().parents[2]
MUTMUT = Path(sys.executable).with_name("mutmut")
# One mutant at a time: the machine has 2 cores shared with others; keep one free.
MAX_CHILDREN = "1"
# setup.cfg's also_copy folders, and tests/ (mutmut copies it by default).
COPIED_FOLDERS = ("features", "steps", "harness", "migrations", "reporting", "tests")


@dataclass(frozen=True)
class Rerun:
    """Survivors of the first pass in `modules`, tested again under other conditions."""

    why: str
    modules: tuple[str, ...]
    env: dict[str, str]


RERUNS = (
    # Where a tenant filter lives in the application (a WHERE tenant_id = ... of its own):
    # with RLS on, the database layer would hide a missing one.
    Rerun(
        "--without-rls",
        (
            "app/repositories/",
            "app/auth/api_keys.py",
            "app/auth/principal.py",
            "app/auth/throttle.py",
            "app/idempotency.py",
            "app/routes/auth.py",
        ),
        {"PYTEST_ADDOPTS": "--without-rls"},
    ),
    # Where the schema-per-tenant mode has code of its own (the transaction's schema, role
    # and revision): the default run is in the rows mode, which never reaches it.
    Rerun("in schemas mode", ("app/db.py", "app/tenancy.py"), {"TEST_TENANCY": "schemas"}),
    # Where the driver shows: the SQLSTATE is `pgcode` on psycopg2 and `sqlstate` on
    # psycopg 3, read in one function (app.errors.sqlstate). Last and narrow: a survivor of
    # a module every scenario reaches costs a whole feature run per pass.
    Rerun("on psycopg 3", ("app/errors.py",), {"TEST_DB_DRIVER": "psycopg"}),
)


def mutant_glob(module: str) -> str:
    """mutmut names a mutant `app.errors.x_fn__mutmut_3`: a module path to its glob."""
    return module.removesuffix("/").removesuffix(".py").replace("/", ".") + ".*"


def in_modules(source: str, modules: tuple[str, ...]) -> bool:
    return any(source == m or (m.endswith("/") and source.startswith(m)) for m in modules)


def survivors(
    modules: tuple[str, ...], scope: tuple[str, ...], only: list[str] | None = None
) -> list[str]:
    """Mutants that survived pass 1, in files under `modules`, within `scope` (and `only`)."""
    names = []
    for meta in sorted((ROOT / "mutants" / "app").rglob("*.py.meta")):
        source = meta.relative_to(ROOT / "mutants").as_posix().removesuffix(".meta")
        if in_modules(source, modules) and in_modules(source, scope):
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            names += [name for name, code in codes.items() if code == 0]
    if only:
        names = [name for name in names if any(fnmatch.fnmatchcase(name, o) for o in only)]
    return names


def mutmut_run(names: list[str], env: dict[str, str]) -> None:
    command = [str(MUTMUT), "run", "--max-children", MAX_CHILDREN, *names]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", help="one module or folder, e.g. app/errors.py or app/auth/")
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="keep earlier results: test only mutants not judged yet (new or changed functions)",
    )
    parser.add_argument(
        "--reruns-only",
        action="store_true",
        help="skip the first pass: run passes 2-4 on the survivors of the results in mutants/",
    )
    parser.add_argument(
        "mutants",
        nargs="*",
        help="mutant names or globs to judge again, keeping the results of the rest",
    )
    args = parser.parse_args(argv)
    scope = (args.module,) if args.module else mutation.MODULES
    if args.module is None and not (args.incremental or args.mutants or args.reruns_only):
        # A full run starts from nothing: results of older code or scenarios would mislead.
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    # mutmut copies the suite into mutants/ over what is there: a file deleted or renamed
    # since (a migration, a step module) would linger, so the copies start anew.
    for folder in COPIED_FOLDERS:
        shutil.rmtree(ROOT / "mutants" / folder, ignore_errors=True)
    # Named mutants are always tested again; without names mutmut tests the unjudged ones.
    names = [mutant_glob(args.module)] if args.module and not args.incremental else []
    names += args.mutants
    started = time.perf_counter()
    with (
        postgres_server() as server,
        suite_database(server, worker_database_name("mutation", "run")) as database,
    ):
        env = {
            **os.environ,
            "TEST_DATABASE_URL": server.render_as_string(hide_password=False),
            "TEST_DATABASE_NAME": database.name,
        }
        if not args.reruns_only:
            mutmut_run(names, env)
        reruns = {}
        for rerun in RERUNS:
            names = survivors(rerun.modules, scope, args.mutants)
            reruns[rerun.why] = len(names)
            if names:
                print(f"\nAgain {rerun.why}: {len(names)} survivors")
                mutmut_run(names, {**env, **rerun.env})
    info = {"wall_s": time.perf_counter() - started, "modules": list(scope), "reruns": reruns}
    # A part of a run judged again leaves the whole run's time as it was.
    if not (args.mutants or args.reruns_only):
        (ROOT / "mutants" / "mutation-run.json").write_text(json.dumps(info, indent=2) + "\n")
    return mutation.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
