"""Send many calls to a live server at the same moment, from a bounded pool of threads.

Each worker thread has its own httpx client (so its own TCP connection, and on the
server its own request and database session). All workers wait at a barrier and
start together; every request has a timeout and the whole run a deadline, so a
hung service fails the scenario instead of hanging the suite.
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import httpx

from harness.api import HttpResponse, ServiceApi
from harness.email_provider import ProviderGate

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
    base_url: str, calls: Sequence[Call], *, workers: int = MAX_WORKERS, lockstep: bool = False
) -> list[HttpResponse]:
    """Run `calls` against the server, `workers` at a time; answers in the order of `calls`.

    Calls go out in rounds of `workers` (round-robin: worker i sends calls i, i+workers,
    ...). The first round starts together; with `lockstep` every round does, so calls
    placed side by side in `calls` (a removal and a change of one person) really meet,
    however far the earlier rounds have drifted apart.
    """
    assert 0 < len(calls) <= MAX_CALLS, f"bounded runs only: 1..{MAX_CALLS} calls"
    workers = min(workers, len(calls))
    rounds = -(-len(calls) // workers)
    barrier = threading.Barrier(workers, timeout=BARRIER_TIMEOUT_S)
    answers: list[HttpResponse | None] = [None] * len(calls)

    def worker(index: int) -> None:
        api = open_api(base_url)
        try:
            barrier.wait()  # everyone starts together: the first requests really collide
            for round_number in range(rounds):
                if lockstep and round_number > 0:
                    barrier.wait()  # a worker with no call left still waits: rounds stay whole
                position = round_number * workers + index
                if position < len(calls):
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


# How long the calls get to settle (each answered, or held at the provider) before the probe.
SETTLE_S = 3.0


@dataclass
class HeldRun:
    """Calls sent at once while the e-mail provider held its messages, and a probe meanwhile."""

    answers: list[HttpResponse]
    # Per call, in order: answered while the provider still held every message it had?
    answered_while_held: list[bool]
    probe: dict[str, HttpResponse]
    probe_answered_while_held: bool


def run_while_held(
    base_url: str,
    gate: ProviderGate,
    calls: Sequence[Call],
    probe: Callable[[ServiceApi], dict[str, HttpResponse]],
) -> HeldRun:
    """Send `calls` at once; once each is answered or held at `gate`, run `probe`; then
    let the provider answer. Records what was answered while the gate still held."""
    while_held: list[bool | None] = [None] * len(calls)

    def tracked(index: int, call: Call) -> Call:
        def run(api: ServiceApi) -> HttpResponse:
            answer = call(api)
            while_held[index] = gate.holding
            return answer

        return run

    def settled() -> bool:  # every call answered, or waiting at the provider
        return sum(flag is not None for flag in while_held) + gate.waiting >= len(calls)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="held-run") as background:
        pending = background.submit(
            run_at_once, base_url, [tracked(i, call) for i, call in enumerate(calls)]
        )
        try:
            gate.wait_until(settled, SETTLE_S)
            api = open_api(base_url)
            try:
                probed = probe(api)
                probe_while_held = gate.holding
            finally:
                api.http.close()  # type: ignore[attr-defined]
        finally:
            gate.release()
        answers = pending.result(timeout=RUN_TIMEOUT_S)
    return HeldRun(answers, [bool(flag) for flag in while_held], probed, probe_while_held)
