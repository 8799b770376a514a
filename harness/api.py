"""The service's API in business verbs, over any httpx-style client.

Steps say "Acme lists its users"; this module knows that is GET /users with a
tenant header. The same class drives the in-process TestClient and a real
uvicorn server through httpx.

Credentials: a call that names a tenant and passes no `credentials` is made by the
tenant's default caller: an admin of that tenant, whose credentials the scenario's
hook supplies (installed by the `world` fixture, which seeds an admin API key on first
use; so `ServiceApi(httpx.Client(base_url=...))` over a live server gets it too).
A call that passes `credentials` sends exactly those; `NO_CREDENTIALS` sends none.
Cookies are never kept between calls: a scenario that uses the session cookie sends
it explicitly, so no call is signed in by accident.
"""

import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from app.idempotency import IDEMPOTENCY_HEADER
from app.tenancy import TENANT_HEADER
from harness.auth import NO_CREDENTIALS, Headers

__all__ = ["NO_CREDENTIALS", "PAGED_LISTS", "HttpClient", "HttpResponse", "ServiceApi", "ids_in"]


class HttpResponse(Protocol):
    status_code: int
    headers: Any
    text: str
    content: bytes

    def json(self) -> Any: ...


class HttpClient(Protocol):
    """httpx's Client, Starlette's TestClient: anything with httpx's `request`."""

    @property
    def request(self) -> Callable[..., Any]: ...


# The service's paged lists, by the words the scenarios use for them.
PAGED_LISTS = {"users": "/users", "API keys": "/api-keys"}

DefaultCredentials = Callable[[str], Headers]
_scenario_default: DefaultCredentials | None = None
_scenario_lock = threading.Lock()


def install_default_credentials(hook: DefaultCredentials | None) -> None:
    """Set (or, with None, remove) the current scenario's default caller for every ServiceApi."""
    global _scenario_default
    _scenario_default = hook


def _default_for(tenant: str) -> Headers:
    # Serialised: the hook seeds through the scenario's one session, which threads must not share.
    with _scenario_lock:
        hook = _scenario_default
        return hook(tenant) if hook is not None else NO_CREDENTIALS


class ServiceApi:
    def __init__(self, http: HttpClient, default_credentials: DefaultCredentials | None = None):
        self.http = http
        # Explicit hook, or (when None) the current scenario's, looked up at call time.
        self.default_credentials = default_credentials

    def call(
        self,
        method: str,
        path: str,
        *,
        tenant: str | None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        credentials: Headers | None = None,
        content: bytes | Iterable[bytes] | None = None,
    ) -> HttpResponse:
        sent = dict(headers or {})
        if credentials is None and tenant is not None:
            hook = self.default_credentials
            credentials = hook(tenant) if hook is not None else _default_for(tenant)
        sent.update(credentials or {})
        if tenant is not None:
            sent[TENANT_HEADER] = tenant
        extra = {} if content is None else {"content": content}
        try:
            answer: HttpResponse = self.http.request(
                method, path, json=json, params=params, headers=sent, **extra
            )
            return answer
        finally:
            jar = getattr(self.http, "cookies", None)
            if jar:
                jar.clear()

    # --- signing in ----------------------------------------------------------------------

    def login(self, tenant: str | None, email: str, password: str) -> HttpResponse:
        return self.call(
            "POST",
            "/auth/login",
            tenant=tenant,
            json={"email": email, "password": password},
            credentials=NO_CREDENTIALS,
        )

    def logout(self, credentials: Headers = NO_CREDENTIALS) -> HttpResponse:
        return self.call("POST", "/auth/logout", tenant=None, credentials=credentials)

    def create_user_once(
        self, tenant: str | None, body: Any, key: str, credentials: Headers | None = None
    ) -> HttpResponse:
        """Create with an Idempotency-Key: safe to send again."""
        return self.call(
            "POST",
            "/users",
            tenant=tenant,
            json=body,
            headers={IDEMPOTENCY_HEADER: key},
            credentials=credentials,
        )

    # --- raw input, for bad-input scenarios ----------------------------------------------

    def create_user_from_bytes(
        self, tenant: str | None, body: bytes | Iterable[bytes], content_type: str | None
    ) -> HttpResponse:
        """A new user's body exactly as given: not JSON, too large, or streamed in pieces."""
        headers = {"Content-Type": content_type} if content_type else {}
        return self.call("POST", "/users", tenant=tenant, content=body, headers=headers)

    def list_page(
        self,
        listing: str,
        tenant: str | None,
        params: dict[str, Any],
        credentials: Headers | None = None,
    ) -> HttpResponse:
        """One page of a paged list named as the scenarios name it ("users", "API keys"),
        with the query parameters as given, valid or not."""
        path = PAGED_LISTS[listing]
        return self.call("GET", path, tenant=tenant, params=params, credentials=credentials)

    def send_bytes(
        self,
        method: str,
        path: str,
        tenant: str | None,
        body: bytes,
        credentials: Headers | None = None,
    ) -> HttpResponse:
        """Any operation, with a JSON body given as raw bytes (which may not be JSON at all)."""
        headers = {"Content-Type": "application/json"}
        return self.call(
            method, path, tenant=tenant, content=body, headers=headers, credentials=credentials
        )

    def delete_user_at(self, tenant: str | None, raw_id: str) -> HttpResponse:
        """DELETE /users/<raw_id>, where the id may be anything a caller puts in the path."""
        return self.call("DELETE", f"/users/{raw_id}", tenant=tenant)

    # --- API keys ------------------------------------------------------------------------

    def create_api_key(
        self, tenant: str | None, body: Any, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call("POST", "/api-keys", tenant=tenant, json=body, credentials=credentials)

    def list_api_keys(
        self, tenant: str | None, credentials: Headers | None = None, **page: int
    ) -> HttpResponse:
        return self.call(
            "GET", "/api-keys", tenant=tenant, params=page or None, credentials=credentials
        )

    def revoke_api_key(
        self, tenant: str | None, key_id: int, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call("DELETE", f"/api-keys/{key_id}", tenant=tenant, credentials=credentials)

    # --- users and counters --------------------------------------------------------------

    def list_users(
        self, tenant: str | None, credentials: Headers | None = None, **page: int
    ) -> HttpResponse:
        return self.call(
            "GET", "/users", tenant=tenant, params=page or None, credentials=credentials
        )

    def create_user(
        self, tenant: str | None, body: Any, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call("POST", "/users", tenant=tenant, json=body, credentials=credentials)

    def read_user(
        self, tenant: str | None, user_id: int, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call("GET", f"/users/{user_id}", tenant=tenant, credentials=credentials)

    def update_user(
        self, tenant: str | None, user_id: int, body: Any, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call(
            "PATCH", f"/users/{user_id}", tenant=tenant, json=body, credentials=credentials
        )

    def delete_user(
        self, tenant: str | None, user_id: int, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call("DELETE", f"/users/{user_id}", tenant=tenant, credentials=credentials)

    def increment_counter(
        self, tenant: str | None, name: str, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call(
            "POST", f"/counters/{name}/increment", tenant=tenant, credentials=credentials
        )

    def invite_user(
        self, tenant: str | None, user_id: int, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call(
            "POST", f"/users/{user_id}/invitations", tenant=tenant, credentials=credentials
        )

    def read_counter(
        self, tenant: str | None, name: str, credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call("GET", f"/counters/{name}", tenant=tenant, credentials=credentials)

    def increment_counters(
        self, tenant: str | None, names: list[str], credentials: Headers | None = None
    ) -> HttpResponse:
        return self.call(
            "POST",
            "/counters/increments",
            tenant=tenant,
            json={"names": names},
            credentials=credentials,
        )

    def liveness(self, method: str = "GET") -> HttpResponse:
        """Is the process alive? `method="HEAD"` asks as a load balancer does: headers only."""
        return self.call(method, "/health", tenant=None)

    def readiness(self, method: str = "GET") -> HttpResponse:
        return self.call(method, "/health/ready", tenant=None)

    def send_method(self, method: str, path: str, tenant: str | None) -> HttpResponse:
        """Any method to any path, with no body: what the path takes, or not."""
        return self.call(method, path, tenant=tenant)


def ids_in(body: object) -> set[int]:
    """Every `id` anywhere in a decoded JSON answer: to spot another tenant's records."""
    if isinstance(body, dict):
        found = {body["id"]} if isinstance(body.get("id"), int) else set()
        return found.union(*(ids_in(v) for v in body.values()))
    if isinstance(body, list):
        return set().union(*(ids_in(v) for v in body))
    return set()
