"""What one scenario knows: the tenants and people it named, what it sent, what it saw.

Typed fields, one per kind of thing a step hands to a later step. `before` is the stored
data of every tenant the scenario named, taken by the harness just before the first When
step (harness.fixtures.world), so a Then step can say "unchanged" without any When step
having to remember to take it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy.exc import DBAPIError

from app.models import ApiKey, Tenant, User
from harness.api import HttpResponse
from harness.auth import NO_CREDENTIALS, Headers
from harness.parallel import HeldRun
from harness.stored import Row, TenantState

if TYPE_CHECKING:
    from harness.batch_exploration import Party
    from harness.exploration import Exploration
    from harness.schema_isolation import Attempt

SOMEONE_WITHOUT_CREDENTIALS = "someone without credentials"


@dataclass
class AppTweaks:
    """Settings a scenario's Given steps change before the app is built (a short statement
    timeout, say); the app is built once, when the scenario first needs it."""

    settings: dict[str, Any] = field(default_factory=dict)
    built: bool = False

    def set(self, **changes: Any) -> None:
        assert not self.built, "settings must change before the scenario's first request"
        self.settings.update(changes)


@dataclass(frozen=True)
class Snapshot:
    """Every named tenant's stored data at one moment, by the tenant's name in the scenario."""

    tenants: dict[str, TenantState]

    def tenant(self, name: str) -> TenantState:
        try:
            return self.tenants[name]
        except KeyError:
            raise AssertionError(f"{name!r} was not a tenant before the first When step") from None

    def person(self, person: User) -> Row | None:
        """The person's stored row at that moment (None if it was not stored)."""
        for state in self.tenants.values():
            row = state.user(person.id)
            if row is not None:
                return row
        return None


@dataclass(frozen=True)
class Aim:
    """What one request of a race over the same people was: whose, and whether the removal."""

    user_id: int
    removal: bool


StepFunction = TypeVar("StepFunction", bound=Callable[..., Any])
# The step functions that read `World.stored_before`. The snapshot (every named tenant's
# users, keys and counters: a few ms) is taken before the first When step only for a
# scenario with one of them; a step that reads it unmarked fails, saying so.
SNAPSHOT_READERS: set[Callable[..., Any]] = set()


def reads_stored_before(func: StepFunction) -> StepFunction:
    """Marks a step function (under its @given/@when/@then) as reading `stored_before`."""
    SNAPSHOT_READERS.add(func)
    return func


@dataclass
class World:
    tenants: dict[str, Tenant] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    # Plain-text passwords of the people who have one, for signing in as them.
    passwords: dict[str, str] = field(default_factory=dict)
    # API keys the scenario seeded, by their name.
    api_keys: dict[str, ApiKey] = field(default_factory=dict)
    # Credentials (request headers) of the callers the scenario signed in, by name.
    signed_in: dict[str, Headers] = field(default_factory=dict)
    # The default caller of each tenant (by slug), seeded on first use; see harness.fixtures.world.
    default_callers: dict[str, Headers] = field(default_factory=dict)

    # Stored data just before the first When step.
    before: Snapshot | None = None
    # No step of the scenario reads `stored_before` (see `reads_stored_before`): not taken.
    snapshot_skipped: bool = False
    # The last answer, and an earlier one a Then step compares it with.
    response: HttpResponse | None = None
    earlier: HttpResponse | None = None
    # The first answer under each idempotency key, by (tenant, key), and the key of the
    # last request sent under one: a repeat is compared with its own first time.
    first_under_key: dict[tuple[str, str], HttpResponse] = field(default_factory=dict)
    repeated: tuple[str, str] | None = None
    # Answers of requests sent at the same moment (or one after another), in order, and
    # who sent each; an earlier such series a Then step compares them with.
    answers: list[HttpResponse] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    # What each of `answers` was about, in a race over the same people.
    aims: list[Aim] = field(default_factory=list)
    # Requests sent while the e-mail provider held its messages, and a probe meanwhile.
    held_run: HeldRun | None = None
    # One answer per operation of the API ("POST /users"), when a step tries each of them.
    by_operation: dict[str, HttpResponse] = field(default_factory=dict)
    # A generated search: how many cases it tried, and the smallest that broke the rule.
    searched: int = 0
    counterexample: str | None = None
    earlier_answers: list[HttpResponse] = field(default_factory=list)
    # The SQL statements (text, no values) the service ran for `answers` and for
    # `earlier_answers`: the same work, or not.
    statements: list[str] = field(default_factory=list)
    earlier_statements: list[str] = field(default_factory=list)
    # What each of `answers` was sent with, in words (for generated input).
    tried: list[str] = field(default_factory=list)
    # Pages of a paged list, in the order they were read.
    pages: list[list[Row]] = field(default_factory=list)
    # A freshly created API key as answered (with its secret).
    created_key: Row | None = None
    # Which kind of record an endpoint of the isolation matrix deals in.
    records_at_stake: Literal["users", "api_keys"] = "users"
    # What the database itself answered to the service's role: rows, or a refusal.
    rows_read: list[int] | None = None
    # The suite's own search (harness.exploration), and the first rule it found broken.
    exploration: "Exploration | None" = None
    parties: list["Party"] = field(default_factory=list)
    exploration_done: bool = False
    broken_rule: str | None = None
    refusal: DBAPIError | None = None
    # What the service's role tried to write in the database-layer scenarios, and the answer.
    database_attempts: "list[Attempt]" = field(default_factory=list)

    def tenant(self, name: str) -> Tenant:
        try:
            return self.tenants[name]
        except KeyError:
            raise AssertionError(f"The scenario never introduced the tenant {name!r}") from None

    def tenant_of(self, person: str) -> Tenant:
        """The tenant a person of the scenario belongs to."""
        user = self.person(person)
        return next(t for t in self.tenants.values() if t.id == user.tenant_id)

    def person(self, name: str) -> User:
        try:
            return self.people[name]
        except KeyError:
            raise AssertionError(f"The scenario never introduced {name!r}") from None

    def credentials(self, name: str) -> Headers:
        """The headers `name` sends: what they signed in with, or none for "someone without
        credentials"."""
        if name == SOMEONE_WITHOUT_CREDENTIALS:
            return NO_CREDENTIALS
        try:
            return self.signed_in[name]
        except KeyError:
            raise AssertionError(f"{name!r} never signed in in this scenario") from None

    def api_key(self, name: str) -> ApiKey:
        try:
            return self.api_keys[name]
        except KeyError:
            raise AssertionError(f"The scenario never made the API key {name!r}") from None

    @property
    def held(self) -> HeldRun:
        assert self.held_run is not None, "No requests were sent while the provider held them"
        return self.held_run

    @property
    def last(self) -> HttpResponse:
        assert self.response is not None, "No request was made yet"
        return self.response

    @property
    def stored_before(self) -> Snapshot:
        assert not self.snapshot_skipped, (
            "No snapshot was taken: mark the step function that reads `stored_before` "
            "with @reads_stored_before (harness.world)"
        )
        assert self.before is not None, "No When step ran: nothing was stored 'before'"
        return self.before
