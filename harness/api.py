"""The service's API in business verbs, over any httpx-style client.

Steps say "Acme lists its users"; this module knows that is GET /users with a
tenant header. The same class drives the in-process TestClient and a real
uvicorn server through httpx.
"""

from typing import Any, Protocol

from app.idempotency import IDEMPOTENCY_HEADER
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
    ) -> HttpResponse:
        sent = dict(headers or {})
        if tenant is not None:
            sent[TENANT_HEADER] = tenant
        return self.http.request(method, path, json=json, params=params, headers=sent)

    def list_users(self, tenant: str | None, **page: int) -> HttpResponse:
        return self.call("GET", "/users", tenant=tenant, params=page or None)

    def create_user(self, tenant: str | None, body: Any) -> HttpResponse:
        return self.call("POST", "/users", tenant=tenant, json=body)

    def create_user_once(self, tenant: str | None, body: Any, key: str) -> HttpResponse:
        """Create with an Idempotency-Key: safe to send again."""
        return self.call(
            "POST", "/users", tenant=tenant, json=body, headers={IDEMPOTENCY_HEADER: key}
        )

    def read_user(self, tenant: str | None, user_id: int) -> HttpResponse:
        return self.call("GET", f"/users/{user_id}", tenant=tenant)

    def update_user(self, tenant: str | None, user_id: int, body: Any) -> HttpResponse:
        return self.call("PATCH", f"/users/{user_id}", tenant=tenant, json=body)

    def delete_user(self, tenant: str | None, user_id: int) -> HttpResponse:
        return self.call("DELETE", f"/users/{user_id}", tenant=tenant)

    def increment_counter(self, tenant: str | None, name: str) -> HttpResponse:
        return self.call("POST", f"/counters/{name}/increment", tenant=tenant)

    def increment_counters(self, tenant: str | None, names: list[str]) -> HttpResponse:
        return self.call("POST", "/counters/increments", tenant=tenant, json={"names": names})

    def read_counter(self, tenant: str | None, name: str) -> HttpResponse:
        return self.call("GET", f"/counters/{name}", tenant=tenant)

    def liveness(self) -> HttpResponse:
        return self.call("GET", "/health", tenant=None)

    def readiness(self) -> HttpResponse:
        return self.call("GET", "/health/ready", tenant=None)
