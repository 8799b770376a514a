"""What one scenario knows: the tenants and people it named, and the last answer."""

from dataclasses import dataclass, field
from typing import Any

from app.models import Tenant, User
from harness.api import HttpResponse


@dataclass
class World:
    tenants: dict[str, Tenant] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    response: HttpResponse | None = None
    # The answers of requests sent at the same moment, in the order they were made.
    answers: list[HttpResponse] = field(default_factory=list)
    # Stored rows captured before a When step, to prove nothing changed.
    snapshots: dict[str, Any] = field(default_factory=dict)

    def tenant(self, name: str) -> Tenant:
        try:
            return self.tenants[name]
        except KeyError:
            raise AssertionError(f"The scenario never introduced the tenant {name!r}") from None

    def person(self, name: str) -> User:
        try:
            return self.people[name]
        except KeyError:
            raise AssertionError(f"The scenario never introduced {name!r}") from None

    @property
    def last(self) -> HttpResponse:
        assert self.response is not None, "No request was made yet"
        return self.response
