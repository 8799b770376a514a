"""The pieces that bound sign-ins, on their own: per-address limit, password-check slots,
the throttle's account key, duplicate cookies, emails checked after normalising."""

import threading

import anyio
import pytest
from starlette.requests import Request

from app.auth.credentials import COOKIE_NAME, cookie_count
from app.auth.sign_in_load import ClientRateLimit, PasswordCheckSlots, SignInBusy
from app.auth.throttle import TooManyAttempts, account_key
from app.schemas import MAX_EMAIL_LENGTH, LoginIn, normalise_email


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_its_limit_then_429_with_the_wait_until_its_window_ends() -> None:
    clock = FakeClock()
    limit = ClientRateLimit(3, 60, clock=clock)
    for _ in range(3):
        limit.hit("10.0.0.1")
    clock.now += 20
    with pytest.raises(TooManyAttempts) as refused:
        limit.hit("10.0.0.1")
    assert refused.value.headers == {"Retry-After": "40"}
    limit.hit("10.0.0.2")  # another address has its own count
    clock.now += 40
    limit.hit("10.0.0.1")  # a new window


def test_the_addresses_remembered_are_bounded() -> None:
    clock = FakeClock()
    limit = ClientRateLimit(1, 60, max_clients=100, clock=clock)
    for n in range(1000):
        limit.hit(f"10.0.{n // 256}.{n % 256}")
        clock.now += 0.001
    assert limit.tracked() == 100
    clock.now += 61
    limit.hit("10.9.9.9")
    assert limit.tracked() == 1  # expired windows are forgotten


def test_a_sign_in_waits_for_a_free_slot_then_gets_busy() -> None:
    slots = PasswordCheckSlots(1, wait_s=0.05)
    outcomes: list[str] = []

    async def holder(started: anyio.Event, release: anyio.Event) -> None:
        async with slots.slot():
            started.set()
            await release.wait()
        outcomes.append("held")

    async def main() -> None:
        started, release = anyio.Event(), anyio.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(holder, started, release)
            await started.wait()
            with pytest.raises(SignInBusy):
                async with slots.slot():
                    pass
            outcomes.append("busy")
            release.set()
        async with slots.slot():  # free again
            outcomes.append("served")

    anyio.run(main)
    assert outcomes == ["busy", "held", "served"]


def test_the_wait_limit_never_cuts_a_sign_in_that_got_its_slot() -> None:
    slots = PasswordCheckSlots(1, wait_s=0.01)

    async def main() -> str:
        async with slots.slot():
            await anyio.sleep(0.05)  # longer than the wait limit
        return "finished"

    assert anyio.run(main) == "finished"


def test_waiting_for_a_slot_takes_no_thread() -> None:
    slots = PasswordCheckSlots(1, wait_s=1.0)

    async def waiter() -> None:
        async with slots.slot():
            pass

    async def main() -> int:
        async with slots.slot(), anyio.create_task_group() as tasks:
            before = threading.active_count()
            for _ in range(20):
                tasks.start_soon(waiter)
            await anyio.sleep(0.05)  # every waiter is waiting now
            during = threading.active_count()
            tasks.cancel_scope.cancel()
        return during - before

    assert anyio.run(main) == 0


def test_the_account_key_tells_every_slug_and_email_apart() -> None:
    assert account_key("acme", "a@b.c") != account_key("acme", "a@b.d")
    assert account_key("acme", "x\nb") != account_key("acme\nx", "b")
    assert len(account_key("acme", "\ud800" + "İ" * 320)) == 64  # any typed string


def _request(*cookie_headers: str) -> Request:
    headers = [(b"cookie", value.encode("latin-1")) for value in cookie_headers]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    ("headers", "count"),
    [
        ((f"{COOKIE_NAME}=a",), 1),
        ((f"{COOKIE_NAME}=a; {COOKIE_NAME}=b",), 2),
        ((f"{COOKIE_NAME}=a;{COOKIE_NAME}=a",), 2),
        ((f"{COOKIE_NAME}=a", f"other=1; {COOKIE_NAME}=b"), 2),
        ((f" {COOKIE_NAME} =a; x{COOKIE_NAME}=b; {COOKIE_NAME}x=c",), 1),
        ((f"theme=dark; {COOKIE_NAME}",), 0),  # no "=": not this cookie (as Starlette reads it)
        ((), 0),
    ],
)
def test_every_copy_of_the_session_cookie_is_counted(headers: tuple[str, ...], count: int) -> None:
    assert cookie_count(_request(*headers), COOKIE_NAME) == count


def test_an_email_is_measured_after_lowering() -> None:
    assert normalise_email("Alice@Acme.Example") == "alice@acme.example"
    with pytest.raises(ValueError, match="once in lower case"):
        normalise_email("İ" * (MAX_EMAIL_LENGTH // 2 + 1))  # 161 characters, 322 in lower case


def test_a_sign_in_email_is_compared_as_stored_whatever_its_lowered_length() -> None:
    assert LoginIn(email=" İ" * 160, password="pw").email == "i̇ " * 159 + "i̇"
