import socket
import threading
from collections.abc import Iterator

import pytest

from harness.tcp_proxy import TcpProxy


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                while data := conn.recv(1024):
                    conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()
    stop.set()
    thread.join(5)
    server.close()


def _echo(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"ping")
        return conn.recv(1024)


def test_the_link_forwards_refuses_when_cut_and_comes_back_on_the_same_port(
    echo_server: tuple[str, int],
) -> None:
    before = set(threading.enumerate())
    with TcpProxy(*echo_server) as link:
        port = link.port
        assert _echo(port) == b"ping"
        live = socket.create_connection(("127.0.0.1", port), timeout=5)
        live.sendall(b"hello")
        assert live.recv(1024) == b"hello"  # accepted and forwarded before the cut
        link.cut()
        assert live.recv(1024) == b"", "a live connection is reset when the link is cut"
        live.close()
        with pytest.raises(ConnectionRefusedError):
            _echo(port)
        link.restore()
        assert link.port == port
        assert _echo(port) == b"ping"
    assert not set(threading.enumerate()) - before, "the link left threads behind"
