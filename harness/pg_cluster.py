"""A throwaway PostgreSQL cluster from the machine's own server binaries.

Used when no TEST_DATABASE_URL is given. As root, initdb and pg_ctl refuse to
run, so the cluster runs as the `postgres` user in a directory made for it with
`tempfile.mkdtemp` (pytest's own 0700 temp dirs are not reachable by that user).
Durability is switched off: the cluster lives for one run.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "No PostgreSQL server binaries (initdb, pg_ctl) were found. Either install them "
    "(Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`), "
    "point PG_BINDIR at their folder, or set TEST_DATABASE_URL to a server the suite may "
    "create databases and roles on."
)
FAST_UNSAFE_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresNotFound(RuntimeError):
    pass


def find_bindir(candidates: list[Path] | None = None) -> Path:
    """The folder holding initdb and pg_ctl; raises PostgresNotFound with what to install."""
    for folder in default_bindir_candidates() if candidates is None else candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresNotFound(INSTALL_HINT)


def default_bindir_candidates() -> list[Path]:
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    # Debian keeps server binaries off PATH, one folder per major version: newest first.
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    candidates += [Path("/usr/local/pgsql/bin"), Path("/opt/homebrew/bin"), Path("/usr/local/bin")]
    return candidates


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedCluster:
    bindir: Path
    root: Path
    port: int
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, text=True)

    def stop(self) -> None:
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        except subprocess.CalledProcessError:
            pass  # already stopped; the folder still goes
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> EmbeddedCluster:
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="acceptance-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            raise PostgresNotFound(
                "Running as root needs a `postgres` system user to own the test cluster."
            ) from None
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = EmbeddedCluster(bindir=bindir, root=root, port=0, run_as=run_as)
    try:
        cluster._run(
            str(bindir / "initdb"),
            "-D",
            str(cluster.data),
            "--no-sync",
            "--auth=trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
        )
        _start_on_free_port(cluster)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster


def _start_on_free_port(cluster: EmbeddedCluster, attempts: int = 3) -> None:
    settings = " ".join(f"-c {s}" for s in FAST_UNSAFE_SETTINGS)
    for attempt in range(attempts):
        cluster.port = _free_port()
        options = (
            f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {cluster.root} "
            f"-c max_connections=200 {settings}"
        )
        try:
            cluster._run(
                str(cluster.bindir / "pg_ctl"),
                "-D",
                str(cluster.data),
                "-l",
                str(cluster.root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            )
            return
        except subprocess.CalledProcessError as exc:
            # Another worker may have taken the port between probe and bind.
            if attempt == attempts - 1:
                log = (cluster.root / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log}") from exc
