"""The e-mail provider at the service's outer edge, mocked with respx.

Every scenario's app gets a provider whose transport is a respx router: by default
it accepts each message; a scenario makes it time out, fail or answer garbage, or
hold every message at a `ProviderGate` until the scenario lets it answer.
"""

import json
import threading
import time
from collections.abc import Callable

import httpx
import respx

from app.outbound.email import SEND_PATH, EmailProvider
from app.settings import Settings

PROVIDER_URL = "https://email-provider.test"
SEND_ROUTE = "send"


def accepting_router() -> respx.Router:
    router = respx.Router(base_url=PROVIDER_URL, assert_all_called=False)
    router.post(SEND_PATH, name=SEND_ROUTE).respond(202, json={"id": "msg-0001"})
    return router


def provider_for(router: respx.Router, settings: Settings | None = None) -> EmailProvider:
    """The app's provider over the mock; bounded in sends as `settings` say."""
    bound = (
        {} if settings is None else {"max_concurrent_sends": settings.email_max_concurrent_sends}
    )
    return EmailProvider(
        PROVIDER_URL,
        connect_timeout_s=1.0,
        read_timeout_s=1.0,
        transport=httpx.MockTransport(router.handler),
        **bound,
    )


# A held message is let go after this long even if the scenario never says so: a service
# that cannot answer anything while messages are held must not hang the suite.
HOLD_LIMIT_S = 10.0


class ProviderGate:
    """A slow provider: every message waits here until `release()` (or HOLD_LIMIT_S)."""

    def __init__(self) -> None:
        self._opened = threading.Event()
        self._gave_up = threading.Event()
        self._lock = threading.Lock()
        self.waiting = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.waiting += 1
        try:
            if not self._opened.wait(HOLD_LIMIT_S):
                self._gave_up.set()
            return httpx.Response(202, json={"id": "msg-held"})
        finally:
            with self._lock:
                self.waiting -= 1

    @property
    def holding(self) -> bool:
        """Every message so far is still held as the scenario asked: none was let go."""
        return not self._opened.is_set() and not self._gave_up.is_set()

    def release(self) -> None:
        self._opened.set()

    def wait_until(self, settled: Callable[[], bool], timeout_s: float) -> None:
        """Poll until `settled()` or `timeout_s` passed (then go on: the outcome will tell)."""
        deadline = time.monotonic() + timeout_s
        while not settled() and time.monotonic() < deadline:
            time.sleep(0.02)


def hold_messages(router: respx.Router, gate: ProviderGate) -> None:
    router.routes[SEND_ROUTE].side_effect = gate.handler


def misbehave(router: respx.Router, how: str) -> None:
    """Make the provider time out, fail, refuse or answer garbage from now on."""
    route = router.routes[SEND_ROUTE]
    if how == "does not answer in time":
        route.side_effect = httpx.ReadTimeout("read timed out")
    elif how == "cannot be reached":
        route.side_effect = httpx.ConnectError("connection refused")
    elif how == "fails with a server error":
        route.respond(503, text="upstream overloaded")
    elif how == "answers with garbage":
        route.respond(200, text="<html>Welcome to nginx</html>")
    elif how == "answers without a message id":
        route.respond(202, json={"status": "queued"})
    else:
        raise AssertionError(f"unknown provider behaviour {how!r}")


def messages_sent(router: respx.Router) -> int:
    return router.routes[SEND_ROUTE].call_count


def invitations(router: respx.Router) -> list[tuple[str, str, str]]:
    """The invitations the provider was asked to send: (to, the person's name, the team)."""
    sent = [json.loads(call.request.content) for call in router.routes[SEND_ROUTE].calls]
    return [(m["to"], m["data"]["name"], m["data"]["team"]) for m in sent]


def recipients(router: respx.Router) -> list[str]:
    """To whom the provider was asked to send, one entry per message."""
    return [json.loads(call.request.content)["to"] for call in router.routes[SEND_ROUTE].calls]
