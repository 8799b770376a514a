"""The CI acceptance stage, checked by reading the workflow a team would copy."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "acceptance.yml"
REPORTS_DIR = "reports/"


def load_workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text())


def readme_test_command() -> str:
    """The command the README names for the whole check (its `make test` line)."""
    for line in (ROOT / "README.md").read_text().splitlines():
        if re.match(r"^make test\b", line):
            return line.split("#")[0].strip()
    raise AssertionError("the README names no `make test` command")


def acceptance_job() -> dict[str, Any]:
    return load_workflow()["jobs"]["acceptance"]


def run_lines(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def shard_plan() -> tuple[int, list[int]]:
    """(the number of splits the shards run with, the groups of the matrix)."""
    job = acceptance_job()
    command = next(line for line in run_lines(job) if line.startswith(readme_test_command()))
    splits = re.search(r"\bSPLITS=(\d+)", command)
    assert splits, f"the shard command names no SPLITS: {command}"
    assert "GROUP=${{ matrix.group }}" in command, command
    return int(splits.group(1)), list(job["strategy"]["matrix"]["group"])


def test_the_workflow_is_valid_yaml_that_runs_on_pushes_and_pull_requests() -> None:
    workflow: dict[Any, Any] = load_workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers is not None, "the workflow names no triggers"
    assert {"push", "pull_request"} <= set(triggers)


def test_postgresql_runs_as_a_service_container_the_suite_is_pointed_at() -> None:
    job = acceptance_job()
    postgres = job["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in postgres["options"], "the job must wait until PostgreSQL is ready"
    published = {mapping.split(":")[0] for mapping in postgres["ports"]}
    url = job["env"]["TEST_DATABASE_URL"]
    assert re.fullmatch(r"postgresql://postgres:[^@]+@(127\.0\.0\.1|localhost):(\d+)/\w+", url)
    assert url.rsplit(":", 1)[1].split("/")[0] in published
    assert postgres["env"]["POSTGRES_PASSWORD"] in url


def test_the_stage_runs_the_command_the_readme_names() -> None:
    command = readme_test_command()
    assert command == "make test"
    assert any(line.startswith(command) for line in run_lines(acceptance_job()))
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_the_reports_are_uploaded_as_artifacts_even_when_the_stage_fails() -> None:
    uploads = [
        step
        for step in acceptance_job()["steps"]
        if step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    reports = [step for step in uploads if step["with"]["path"].rstrip("/") + "/" == REPORTS_DIR]
    assert reports, f"no upload of {REPORTS_DIR}: {uploads}"
    assert reports[0].get("if") == "always()", "a failed run's report matters most"


def test_each_shard_of_the_matrix_runs_one_group_and_coverage_is_gated_once() -> None:
    splits, groups = shard_plan()
    assert splits > 1
    assert groups == list(range(1, splits + 1)), "every group, each in one matrix job"
    coverage = load_workflow()["jobs"]["coverage"]
    assert coverage["needs"] == "acceptance"
    assert "make coverage-gate" in run_lines(coverage)


def test_no_step_needs_root_a_github_runner_does_not_have() -> None:
    """The runner's user is not root: installs need sudo, and the browser is the runner's own."""
    lines = run_lines(acceptance_job())
    for line in lines:
        for command in re.findall(r"(?:^|[;&|]\s*)((?:sudo\s+)?apt(?:-get)?\s+\w+)", line, re.M):
            assert command.startswith("sudo"), f"needs root on a runner: {command!r}"
    before_tests = "\n".join(lines[: lines.index(next(x for x in lines if "make test" in x))])
    for variable in ("CHROME_BIN", "CHROMEDRIVER"):
        assert f"{variable}=" in before_tests and "GITHUB_ENV" in before_tests, (
            f"the workflow must point {variable} at the runner's own browser before make test"
        )


def test_the_browser_step_passes_for_a_user_who_is_not_root() -> None:
    """`make browser` with CHROME_BIN and CHROMEDRIVER set needs no root (as on a runner)."""
    # Readable by any user (pytest's own temp dirs are not), removed afterwards.
    folder = Path(tempfile.mkdtemp(prefix="runner-"))
    try:
        folder.chmod(0o755)
        fake = folder / "browser"
        fake.write_text("#!/bin/sh\nexit 0\n")
        fake.chmod(0o755)
        # A PATH with no browser and no apt-get: only the variables can satisfy the step.
        bare = folder / "bin"
        bare.mkdir(mode=0o755)
        for tool in ("id", "sha1sum", "cut"):
            (bare / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        as_user = [runuser, "-u", "nobody", "--"] if os.geteuid() == 0 else []
        env = {"PATH": str(bare), "CHROME_BIN": str(fake), "CHROMEDRIVER": str(fake)}
        make = shutil.which("make") or "make"
        done = subprocess.run(
            [*as_user, make, "--no-print-directory", "-C", str(ROOT), "browser"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        shutil.rmtree(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "apt-get" not in done.stdout + done.stderr


def test_the_features_run_on_both_postgresql_drivers() -> None:
    job = acceptance_job()
    assert job["strategy"]["matrix"]["driver"] == ["psycopg2", "psycopg"]
    assert job["env"]["TEST_DB_DRIVER"] == "${{ matrix.driver }}"


def test_the_features_run_with_both_ways_of_keeping_tenants_apart() -> None:
    """A tenancy axis sets TEST_TENANCY for the whole stage, and `make test` runs the
    features once more in the other mode: each job proves both, the axis varies which
    one the covered, gated run is."""
    job = acceptance_job()
    assert job["strategy"]["matrix"]["tenancy"] == ["rows", "schemas"]
    assert job["env"]["TEST_TENANCY"] == "${{ matrix.tenancy }}"
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert re.search(
        r"TEST_TENANCY=\$\(OTHER_TENANCY\) \$\(PYTEST\) \$\(TEST_PLUGINS\) steps\b", recipe
    ), recipe
    uploads = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@")]
    names = [s["with"]["name"] for s in uploads]
    assert all("matrix.tenancy" in name for name in names if "reports" in name), names
