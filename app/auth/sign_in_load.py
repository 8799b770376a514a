"""What bounds the cost of sign-ins to the process, whoever sends them.

A password check is deliberately expensive (Argon2: CPU and memory), and anyone may
ask for one. Two bounds, both per process and before any database work:
- `ClientRateLimit`: sign-ins per client address in a window (429);
- `PasswordCheckSlots`: password checks at once; a sign-in waits for a turn without
  holding a thread or a database connection, and gets 503 when none comes in time.
"""

import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from threading import Lock

import anyio

from app.auth.throttle import TooManyAttempts
from app.errors import ServiceUnavailable
from app.settings import Settings

# Addresses remembered at once; past it the oldest window is forgotten first (a flood
# from many addresses costs bounded memory).
MAX_TRACKED_CLIENTS = 10_000


@dataclass
class _Window:
    started: float
    count: int = 0


class ClientRateLimit:
    """At most `limit` sign-ins per client address in each window of `window_s` seconds."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_clients: int = MAX_TRACKED_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._clock = clock
        # In order of window start: expired windows are at the front.
        self._windows: OrderedDict[str, _Window] = OrderedDict()
        self._lock = Lock()

    def hit(self, client: str) -> None:
        """Count one sign-in from `client`; 429 with Retry-After once it is over the limit."""
        with self._lock:
            now = self._clock()
            self._forget_expired(now)
            window = self._windows.get(client)
            if window is None:
                # Not mutated: the memory bound (10,000 addresses) and the order of eviction;
                # every scenario's requests come from one address (tests/unit fills it).
                if len(self._windows) >= self.max_clients:  # pragma: no mutate
                    self._windows.popitem(last=False)  # pragma: no mutate
                window = self._windows[client] = _Window(started=now)
            if window.count >= self.limit:
                wait = math.ceil(window.started + self.window_s - now)
                # Not mutated: the wording, the header name's case and a one-second edge
                # of the clock (max(2, wait) differs only in the window's last second).
                raise TooManyAttempts(
                    "Too many sign-ins from this address; try again later.",  # pragma: no mutate
                    headers={"Retry-After": str(max(1, wait))},  # pragma: no mutate
                )
            window.count += 1

    def tracked(self) -> int:
        return len(self._windows)

    def _forget_expired(self, now: float) -> None:
        while self._windows:
            oldest = next(iter(self._windows.values()))
            if now - oldest.started < self.window_s:
                return
            self._windows.popitem(last=False)  # pragma: no mutate (one address per scenario)


class SignInBusy(ServiceUnavailable):
    # Not mutated: no scenario can fill the password-check slots reliably (it depends on
    # the machine's load); tests/unit/test_sign_in_units.py pins when it is raised.
    def __init__(self) -> None:  # pragma: no mutate block
        super().__init__(
            "Too many sign-ins at once; try again in a moment.", headers={"Retry-After": "1"}
        )


class PasswordCheckSlots:
    """At most `size` sign-ins checking a password at once; the others wait their turn."""

    def __init__(self, size: int, wait_s: float) -> None:
        self.wait_s = wait_s
        # Waiting on it is an await in the event loop: no worker thread is taken.
        self._limiter = anyio.CapacityLimiter(size)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        # The deadline covers the wait only, never the sign-in's own work.
        with anyio.move_on_after(self.wait_s) as waiting:
            await self._limiter.acquire()
        if waiting.cancelled_caught:
            raise SignInBusy()
        try:
            yield
        finally:
            self._limiter.release()


@dataclass(frozen=True)
class SignInLoad:
    per_client: ClientRateLimit
    password_checks: PasswordCheckSlots

    @classmethod
    def from_settings(cls, settings: Settings) -> "SignInLoad":
        return cls(
            ClientRateLimit(settings.login_client_max_attempts, settings.login_client_window_s),
            PasswordCheckSlots(settings.login_max_concurrent_checks, settings.login_check_wait_s),
        )
