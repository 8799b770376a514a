"""The e-mail provider at the service's outer edge, mocked with respx.

Every scenario's app gets a provider whose transport is a respx router: by default
it accepts each message; a scenario makes it time out, fail or answer garbage.
"""

import httpx
import respx

from app.outbound.email import SEND_PATH, EmailProvider

PROVIDER_URL = "https://email-provider.test"
SEND_ROUTE = "send"


def accepting_router() -> respx.Router:
    router = respx.Router(base_url=PROVIDER_URL, assert_all_called=False)
    router.post(SEND_PATH, name=SEND_ROUTE).respond(202, json={"id": "msg-0001"})
    return router


def provider_for(router: respx.Router) -> EmailProvider:
    return EmailProvider(
        PROVIDER_URL,
        connect_timeout_s=1.0,
        read_timeout_s=1.0,
        transport=httpx.MockTransport(router.handler),
    )


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
