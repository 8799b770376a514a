"""The service's API in business verbs, over any httpx-style client.

Steps say "Acme lists its users"; this module knows that is GET /users with a
tenant header. The same class drives the in-process TestClient and a real
uvicorn server through httpx.
"""

from collections.abc import Iterable
from typing import Any, Protocol

from app.tenancy import TENANT_HEADER


class HttpResponse(Protocol):
    status_code: int
    headers: Any
    text: str

    def json(self) -> Any: ...


class HttpClient(Protocol):
    def request(self, method: str, url: str, **kwargs: Any) -> Any: ...


class ServiceApi:
    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def call(
        self,
        method: str,
        path: str,
        *,
        tenant: str | None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Iterable[bytes] | None = None,
    ) -> HttpResponse:
        sent = dict(headers or {})
        if tenant is not None:
            sent[TENANT_HEADER] = tenant
        extra = {} if content is None else {"content": content}
        return self.http.request(method, path, json=json, params=params, headers=sent, **extra)

    def list_users(self, tenant: str | None, **page: int) -> HttpResponse:
        return self.call("GET", "/users", tenant=tenant, params=page or None)

    def create_user(self, tenant: str | None, body: Any) -> HttpResponse:
        return self.call("POST", "/users", tenant=tenant, json=body)

    def create_user_from_bytes(
        self, tenant: str | None, body: bytes | Iterable[bytes], content_type: str | None
    ) -> HttpResponse:
        """A new user's body exactly as given: not JSON, too large, or streamed in pieces."""
        headers = {"Content-Type": content_type} if content_type else {}
        return self.call("POST", "/users", tenant=tenant, content=body, headers=headers)

    def list_users_with(self, tenant: str | None, params: dict[str, str]) -> HttpResponse:
        """Query parameters as a caller typed them, valid or not."""
        return self.call("GET", "/users", tenant=tenant, params=params)

    def delete_user_at(self, tenant: str | None, raw_id: str) -> HttpResponse:
        """DELETE /users/<raw_id>, where the id may be anything a caller puts in the path."""
        return self.call("DELETE", f"/users/{raw_id}", tenant=tenant)

    def read_user(self, tenant: str | None, user_id: int) -> HttpResponse:
        return self.call("GET", f"/users/{user_id}", tenant=tenant)

    def update_user(self, tenant: str | None, user_id: int, body: Any) -> HttpResponse:
        return self.call("PATCH", f"/users/{user_id}", tenant=tenant, json=body)

    def delete_user(self, tenant: str | None, user_id: int) -> HttpResponse:
        return self.call("DELETE", f"/users/{user_id}", tenant=tenant)

    def invite_user(self, tenant: str | None, user_id: int) -> HttpResponse:
        return self.call("POST", f"/users/{user_id}/invitations", tenant=tenant)

    def increment_counter(self, tenant: str | None, name: str) -> HttpResponse:
        return self.call("POST", f"/counters/{name}/increment", tenant=tenant)

    def read_counter(self, tenant: str | None, name: str) -> HttpResponse:
        return self.call("GET", f"/counters/{name}", tenant=tenant)

    def liveness(self) -> HttpResponse:
        return self.call("GET", "/health", tenant=None)

    def readiness(self) -> HttpResponse:
        return self.call("GET", "/health/ready", tenant=None)
