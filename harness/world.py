"""What one scenario knows: the tenants and people it named, and the last answer."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.models import Tenant, User
from harness.api import HttpResponse


@dataclass
class AppTweaks:
    """Settings a scenario's Given steps change before the app is built (a short statement
    timeout, say); the app is built once, when the scenario first needs it."""

    settings: dict[str, Any] = field(default_factory=dict)
    built: bool = False

    def set(self, **changes: Any) -> None:
        assert not self.built, "settings must change before the scenario's first request"
        self.settings.update(changes)


@dataclass
class World:
    tenants: dict[str, Tenant] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    response: HttpResponse | None = None
    # The answers of requests sent at the same moment, in the order they were made.
    answers: list[HttpResponse] = field(default_factory=list)
    # Stored rows captured before a When step, to prove nothing changed.
    snapshots: dict[str, Any] = field(default_factory=dict)
    # Credentials (request headers) of the people the scenario signed in, by name.
    signed_in: dict[str, Mapping[str, str]] = field(default_factory=dict)
    # The default caller of each tenant (by slug), seeded on first use; see conftest.world.
    default_callers: dict[str, Mapping[str, str]] = field(default_factory=dict)

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

    def credentials(self, name: str) -> Mapping[str, str]:
        try:
            return self.signed_in[name]
        except KeyError:
            raise AssertionError(f"{name!r} never signed in in this scenario") from None

    @property
    def last(self) -> HttpResponse:
        assert self.response is not None, "No request was made yet"
        return self.response
