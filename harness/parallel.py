"""Send many calls to a live server at the same moment, from a bounded pool of threads.

Each worker thread has its own httpx client (so its own TCP connection, and on the
server its own request and database session). All workers wait at a barrier and
start together; every request has a timeout and the whole run a deadline, so a
hung service fails the scenario instead of hanging the suite.
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait

import httpx

from harness.api import HttpResponse, ServiceApi

Call = Callable[[ServiceApi], HttpResponse]

MAX_WORKERS = 10
MAX_CALLS = 200
REQUEST_TIMEOUT_S = 15.0
BARRIER_TIMEOUT_S = 10.0
RUN_TIMEOUT_S = 60.0


def open_api(base_url: str) -> ServiceApi:
    """The one place a live-server client is built (credentials go here once auth exists)."""
    return ServiceApi(httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S))


def run_at_once(
    base_url: str, calls: Sequence[Call], *, workers: int = MAX_WORKERS
) -> list[HttpResponse]:
    """Run `calls` against the server, `workers` at a time; answers in the order of `calls`."""
    assert 0 < len(calls) <= MAX_CALLS, f"bounded runs only: 1..{MAX_CALLS} calls"
    workers = min(workers, len(calls))
    barrier = threading.Barrier(workers, timeout=BARRIER_TIMEOUT_S)
    answers: list[HttpResponse | None] = [None] * len(calls)

    def worker(index: int) -> None:
        api = open_api(base_url)
        try:
            barrier.wait()  # everyone starts together: the first requests really collide
            # Round-robin share: worker i sends calls i, i+workers, i+2*workers, ...
            for position in range(index, len(calls), workers):
                answers[position] = calls[position](api)
        finally:
            api.http.close()  # type: ignore[attr-defined]

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parallel") as pool:
        futures = [pool.submit(worker, i) for i in range(workers)]
        done, pending = wait(futures, timeout=RUN_TIMEOUT_S)
        if pending:
            barrier.abort()
            raise AssertionError(f"{len(pending)} workers still busy after {RUN_TIMEOUT_S} s")
        for future in done:
            future.result()  # re-raise a worker's failure (timeout, broken barrier)
    missing = [i for i, answer in enumerate(answers) if answer is None]
    assert not missing, f"no answer for calls {missing}"
    return [answer for answer in answers if answer is not None]
