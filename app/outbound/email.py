"""The e-mail provider that sends invitations, over httpx with explicit timeouts.

One client per app (`app.state.email_provider`), closed with the app. Whatever the
provider does wrong becomes an `AppError` with the one error shape: a timeout is a
504, an error or an answer we cannot read is a 502. The provider's own words go to
the server log, never to the caller.
"""

import logging
import threading
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request

from app.errors import RETRY_AFTER, AppError, ServiceUnavailable
from app.settings import Settings

log = logging.getLogger("app.outbound.email")
SEND_PATH = "/v1/messages"
ACCEPTED = frozenset({200, 201, 202})
DEFAULT_MAX_CONCURRENT_SENDS = 8  # as Settings.email_max_concurrent_sends


class EmailProviderTimeout(AppError):
    status_code = 504
    code = "email_provider_timeout"


class EmailProviderFailed(AppError):
    status_code = 502
    code = "email_provider_failed"


class EmailNotConfigured(ServiceUnavailable):
    code = "email_not_configured"


class EmailProviderBusy(ServiceUnavailable):
    code = "email_provider_busy"

    def __init__(self) -> None:
        super().__init__(
            "Too many invitations are waiting on the e-mail provider; try again shortly.",
            headers=RETRY_AFTER,
        )


class EmailProvider:
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout_s: float,
        read_timeout_s: float,
        max_concurrent_sends: int = DEFAULT_MAX_CONCURRENT_SENDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # Every phase bounded: connect, read, write, and waiting for a pooled connection.
        timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self.client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)
        # Each send holds a worker thread while it waits: at most this many at once.
        self._send_slots = threading.BoundedSemaphore(max_concurrent_sends)

    @classmethod
    def from_settings(
        cls, settings: Settings, transport: httpx.BaseTransport | None = None
    ) -> "EmailProvider | None":
        if settings.email_provider_url is None:
            return None
        return cls(
            str(settings.email_provider_url),
            connect_timeout_s=settings.email_connect_timeout_s,
            read_timeout_s=settings.email_read_timeout_s,
            max_concurrent_sends=settings.email_max_concurrent_sends,
            transport=transport,
        )

    def send_invitation(self, *, to: str, name: str, tenant: str) -> str:
        """Ask the provider to send the invitation; return its message id.

        Refused at once (not queued: a queued caller would hold a thread too) when the
        bound of sends in flight is reached.
        """
        if not self._send_slots.acquire(blocking=False):
            log.warning("e-mail provider busy: refusing an invitation")
            raise EmailProviderBusy()
        try:
            return self._send(to=to, name=name, tenant=tenant)
        finally:
            self._send_slots.release()

    def _send(self, *, to: str, name: str, tenant: str) -> str:
        try:
            answer = self.client.post(
                SEND_PATH,
                json={"to": to, "template": "invitation", "data": {"name": name, "team": tenant}},
            )
        except httpx.TimeoutException as exc:
            log.warning("e-mail provider timed out: %r", exc)
            raise EmailProviderTimeout("The e-mail provider did not answer in time.") from None
        except httpx.HTTPError as exc:
            log.warning("e-mail provider unreachable: %r", exc)
            raise EmailProviderFailed("The e-mail provider could not be reached.") from None
        if answer.status_code not in ACCEPTED:
            log.warning("e-mail provider refused: %s %s", answer.status_code, answer.text[:500])
            raise EmailProviderFailed("The e-mail provider refused to send the invitation.")
        message_id = _message_id(answer)
        if message_id is None:
            log.warning("e-mail provider answered garbage: %r", answer.text[:500])
            raise EmailProviderFailed("The e-mail provider gave an answer we cannot read.")
        return message_id

    def close(self) -> None:
        self.client.close()


def _message_id(answer: httpx.Response) -> str | None:
    try:
        body: Any = answer.json()
    except ValueError:
        return None
    value = body.get("id") if isinstance(body, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def get_email_provider(request: Request) -> EmailProvider:
    provider: EmailProvider | None = request.app.state.email_provider
    if provider is None:
        raise EmailNotConfigured("Invitations are not available: no e-mail provider is set up.")
    return provider


EmailProviderDep = Annotated[EmailProvider, Depends(get_email_provider)]
