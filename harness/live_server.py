"""A real uvicorn server on 127.0.0.1, on an ephemeral port, for as long as a `with` lasts.

For scenarios that need requests to really overlap on separate connections
(concurrency, load): the in-process TestClient serialises nothing, but a real
server also exercises uvicorn's threadpool and the connection pool as in production.
Use it with `@committed_data`: the shared savepoint session breaks under threads.
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` and yield its base URL; stop the server and join its thread on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the port is held from here, so no other process takes it
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    threads_before = set(threading.enumerate())
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("uvicorn did not stop in time")
        _join_leftovers(threads_before, time.monotonic() + STOP_TIMEOUT_S)


def _join_leftovers(threads_before: set[threading.Thread], deadline: float) -> None:
    # AnyIO's worker threads (where sync routes ran) end just after the event loop closes;
    # wait for them so the next test starts with no thread of this server left.
    for leftover in set(threading.enumerate()) - threads_before:
        leftover.join(max(0.0, deadline - time.monotonic()))
