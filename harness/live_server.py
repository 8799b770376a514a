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
# Sync routes run in AnyIO's worker threads; when the server's loop ends they are told to
# stop but not joined, so they can outlive the `with` by a moment unless we wait for them.
ANYIO_WORKER_NAME = "AnyIO worker thread"


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` and yield its base URL; stop the server and join its thread on exit."""
    # IPPROTO_TCP named, not left to the default 0: asyncio switches Nagle's algorithm off
    # (TCP_NODELAY) only on connections whose socket says TCP. Without it each answer sent
    # in two writes (headers, body) waited for the client's delayed ACK: ~40 ms a request.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the port is held from here, so no other process takes it
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    threads_before = set(threading.enumerate())
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    threads_before = set(threading.enumerate())
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
        _join_workers_started_since(threads_before)


def _join_workers_started_since(before: set[threading.Thread]) -> None:
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for worker in set(threading.enumerate()) - before:
        if worker.name == ANYIO_WORKER_NAME:
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                raise RuntimeError("a worker thread of the server did not stop in time")
