"""`make serve` stands the service up with a demo tenant, answers over HTTP, and cleans up."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_server_serves_its_tenant_with_the_printed_key_and_stops_on_ctrl_c() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "harness.serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + START_TIMEOUT_S
        while not any("admin API key" in line for line in lines):
            assert time.monotonic() < deadline and server.poll() is None, "".join(lines)
            lines.append(server.stdout.readline())
        key = next(line for line in lines if "admin API key" in line).split()[-1]
        base = f"http://127.0.0.1:{port}"
        while True:  # uvicorn binds after the banner
            try:
                answer = httpx.get(
                    f"{base}/users", headers={"X-Tenant-ID": "demo", "X-API-Key": key}, timeout=5
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and server.poll() is None, "".join(lines)
                time.sleep(0.1)
        assert answer.status_code == 200, answer.text
        assert answer.json()["items"] == []
        refused = httpx.get(f"{base}/users", headers={"X-Tenant-ID": "demo"}, timeout=5)
        assert refused.status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
