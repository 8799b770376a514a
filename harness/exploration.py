"""Generated sequences of requests from two tenants' callers, checked against business rules.

A Hypothesis state machine drives the real service (in-process, the scenario's own
database) with requests from Acme's and Globex's callers: an admin and a member API key, an
admin and a member signed in, a revoked key, an expired token, nobody; each aimed at its own
tenant or the other. After every request, and whatever came before:

- the answer is the one the reference model (harness.model) predicts: the authorization
  table's rights, seat limits, taken e-mails, unknown records;
- no answer shows anything of the other tenant (its e-mail domain or its key prefixes);
- every error has the one shape, and there is no 5xx at all;
- what each tenant has stored equals the model (people, counters, keys, idempotency keys);
- an invitation e-mail went out for each invitation answered 202, to that person, and no other;
- a browser that signed out holds no session cookie; a repeat under an Idempotency-Key is
  answered byte for byte like the first time.

A failure raises `RuleBroken` with the rule that broke and the (shrunk) story in business
words, e.g. "Globex's admin key adds Bea <bea@globex.example> to Acme".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import respx
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.auth.credentials import COOKIE_NAME
from app.settings import Settings
from harness.api import HttpResponse, ServiceApi
from harness.auth import NO_CREDENTIALS, api_key, bearer, forged_token, token_for
from harness.email_provider import recipients
from harness.factories import ApiKeyFactory, TenantFactory, UserFactory
from harness.model import (
    Caller,
    KeyedAdd,
    KeyModel,
    PersonModel,
    TenantModel,
    refusal_for,
)
from harness.stored import idempotency_key_ages, tenant_state

NAMES = ("Ann", "Bea", "Cid", "Dan", "Eve")
COUNTERS = ("visits", "orders")
SEATS = 5
IDEMPOTENCY_KEYS = ("k1", "k2")
# Zoe's and Max's password: they sign in with it (or with a wrong one).
PASSWORD = "correct horse battery staple"


class RuleBroken(AssertionError):
    """A business rule the service broke, with the story that led there."""


@dataclass
class Budget:
    """How far one run explores: examples (sequences) and requests per sequence."""

    examples: int = 12
    steps: int = 20
    seed: int | None = None  # None: derandomised, the same sequences on every run
    # Shrinking reruns the failing story, shorter each time, until nothing shorter fails:
    # each rerun builds two tenants anew, so it takes up to Hypothesis's cap (5 minutes).
    # False: the first failing story as found, at once (longer, but as readable).
    shrink: bool = True


@dataclass
class Exploration:
    """What the state machine needs from the scenario, set before it runs."""

    api: ServiceApi
    session: Session
    settings: Settings
    provider: respx.Router  # the mocked e-mail provider the app sends invitations through
    runs: int = 0
    replay: str = ""


def _email(name: str, tenant: TenantModel) -> str:
    return f"{name.lower()}@{tenant.slug}.example"


@dataclass
class SignedIn:
    """What a person's own sign-in left them holding: an app's token or a browser's cookies."""

    token: str | None = None
    cookies: dict[tuple[str, str], str] = field(default_factory=dict)  # (name, path) -> value

    def headers(self) -> tuple[tuple[str, str], ...]:
        if self.token is not None:
            return (("Authorization", f"Bearer {self.token}"),)
        # The routes a browser calls with its session (users, counters, keys, sign-out) are
        # not under /auth: only cookies for path "/" go along, as a browser sends them.
        sent = "; ".join(f"{n}={value}" for (n, path), value in self.cookies.items() if path == "/")
        return (("Cookie", sent),) if sent else ()

    def take_cookies(self, answer: HttpResponse) -> None:
        """Keep or drop cookies as a browser does with the answer's Set-Cookie headers."""
        for header in answer.headers.get_list("set-cookie"):
            for name, morsel in SimpleCookie(header).items():
                where = (name, morsel["path"] or "/auth")  # default: the request's folder
                if morsel["max-age"] in ("0", "-1") or not morsel.value.strip('"'):
                    self.cookies.pop(where, None)
                else:
                    self.cookies[where] = morsel.value


class ServiceMachine(RuleBasedStateMachine):
    """Built by `explore`; `context` is the scenario's service and session."""

    context: Exploration

    def __init__(self) -> None:
        super().__init__()
        self.tenants: list[TenantModel] = []
        self.callers: list[Caller] = []
        self.story: list[str] = []
        self.answer: HttpResponse | None = None
        self.expected: tuple[int, str | None] = (0, None)
        self.signed_in: dict[str, SignedIn] = {}  # by the session caller's label
        self.failed_sign_ins: dict[tuple[str, str], int] = {}  # (tenant slug, email) -> count
        self.invitations_sent: list[str] = []  # to whom, in order, as the answers said
        self.emails: dict[int, str] = {}  # the e-mail each person who may sign in uses

    # --- the world each sequence starts from -------------------------------------------

    @initialize()
    def two_tenants_and_their_callers(self) -> None:
        ctx = self.context
        ctx.runs += 1
        ctx.provider.reset()  # the e-mails of earlier sequences are not this one's
        for name in ("Acme", "Globex"):
            slug = f"{name.lower()}-{ctx.runs}"
            row = TenantFactory(slug=slug, name=name, seat_limit=SEATS)
            tenant = TenantModel(name=name, id=row.id, slug=slug, seat_limit=SEATS)
            self.tenants.append(tenant)
            self._seed_callers(tenant)
        self.callers.append(Caller("someone without credentials", None, "nobody"))
        self.story.append("Acme and Globex, each with an admin and a member, start")

    def _seed_callers(self, tenant: TenantModel) -> None:
        ctx = self.context
        for role in ("admin", "member"):
            secret = api_keys.new_key()
            key = ApiKeyFactory(tenant_id=tenant.id, name=f"{role} key", role=role, key=secret)
            tenant.keys[key.id] = KeyModel(key.id, key.name, role)
            label = f"{tenant.name}'s {role} key"
            headers = tuple(api_key(secret).items())
            self.callers.append(Caller(label, tenant, "api key", key.id, headers))
        revoked_secret = api_keys.new_key()
        revoked = ApiKeyFactory(
            tenant_id=tenant.id, name="old key", role="admin", key=revoked_secret
        )
        self._revoke(tenant, revoked.id)
        self.callers.append(
            Caller(
                f"{tenant.name}'s revoked key",
                tenant,
                "api key",
                revoked.id,
                tuple(api_key(revoked_secret).items()),
            )
        )
        for role, name in (("admin", "Zoe"), ("member", "Max")):
            user = UserFactory(
                tenant_id=tenant.id,
                name=name,
                email=_email(name, tenant),
                role=role,
                password=PASSWORD,
            )
            tenant.people[user.id] = PersonModel(user.id, name, user.email, role)
            self.emails[user.id] = user.email
            token = token_for(ctx.settings, user, tenant.slug)
            label = f"{tenant.name}'s {role} {name}"
            self.callers.append(
                Caller(label, tenant, "token", user.id, tuple(bearer(token).items()))
            )
            # The same person on a device of their own: signed out until they sign in.
            self.callers.append(Caller(f"{tenant.name}'s {role}", tenant, "session", user.id))
            if role == "admin":
                expired = forged_token("a token that has expired", ctx.settings, user, tenant.slug)
                self.callers.append(
                    Caller(
                        f"{tenant.name}'s {name} with an expired token",
                        tenant,
                        "expired token",
                        user.id,
                        tuple(bearer(expired).items()),
                    )
                )

    def _revoke(self, tenant: TenantModel, key_id: int) -> None:
        answer = self.context.api.revoke_api_key(
            tenant.slug, key_id, credentials=dict(self._admin_key(tenant).headers)
        )
        assert answer.status_code == 204, answer.text
        tenant.keys[key_id] = KeyModel(key_id, "old key", "admin", revoked=True)

    def _admin_key(self, tenant: TenantModel) -> Caller:
        return next(c for c in self.callers if c.tenant is tenant and c.label.endswith("admin key"))

    # --- sending, and what every answer must be -----------------------------------------

    def _as_now(self, caller: Caller) -> Caller:
        """A person's own sign-in as it stands: their token or cookie, or no credentials."""
        if caller.kind != "session":
            return caller
        held = self.signed_in.get(caller.label)
        headers = held.headers() if held is not None else ()
        if not headers:
            return Caller(caller.label, None, "nobody")
        return Caller(caller.label, caller.tenant, "token", caller.record_id, headers)

    def _send(
        self,
        line: str,
        caller: Caller,
        target: TenantModel,
        action: str | None,
        request: Callable[[ServiceApi, str, dict[str, str]], HttpResponse],
        allowed: Callable[[], tuple[int, str | None]],
    ) -> bool:
        """Send one request; True when the service did what was asked (the model follows).

        `action` is the authorization table's name for it; None for a public route.
        """
        self.story.append(line)
        caller = self._as_now(caller)
        refusal = refusal_for(caller, target, action) if action is not None else None
        self.expected = (refusal.status, refusal.code) if refusal else allowed()
        credentials = dict(caller.headers) if caller.headers else dict(NO_CREDENTIALS)
        self.answer = request(self.context.api, target.slug, credentials)
        self._check_answer()
        return refusal is None and self.answer.status_code < 300

    def _broken(self, rule: str, detail: str) -> RuleBroken:
        story = "\n".join(f"  {n}. {line}" for n, line in enumerate(self.story, 1))
        replay = self.context.replay
        return RuleBroken(f"Rule broken: {rule}\n  {detail}\nAfter:\n{story}\n{replay}")

    def _check_answer(self) -> None:
        answer = self.answer
        assert answer is not None
        status, code = self.expected
        if answer.status_code >= 500:
            raise self._broken(
                "no answer is a server error", f"{answer.status_code}: {answer.text}"
            )
        if answer.status_code >= 400:
            error = answer.json().get("error") if answer.text.startswith("{") else None
            shape_ok = (
                isinstance(error, dict)
                and error.get("code")
                and error.get("message")
                and error.get("request_id") == answer.headers.get("X-Request-ID")
            )
            if not shape_ok:
                raise self._broken("every error has the one shape", answer.text)
        got_code = answer.json().get("error", {}).get("code") if answer.status_code >= 400 else None
        if (answer.status_code, got_code) != (status, code):
            raise self._broken(
                "the answer is the one the rules give (rights, limits, what exists)",
                f"expected {status} {code or ''}, got {answer.status_code}: {answer.text}",
            )

    @invariant()
    def nothing_of_one_tenant_reaches_the_other(self) -> None:
        if self.answer is None or len(self.tenants) < 2:
            return
        body = self.answer.text
        target = self._last_target
        for other in self.tenants:
            if other is target:
                continue
            marks = [f"@{other.slug}.example"] + [
                api_keys_prefix for api_keys_prefix in self._prefixes(other)
            ]
            leaked = [mark for mark in marks if mark in body]
            if leaked:
                raise self._broken("nothing of one tenant reaches the other", f"{leaked} in {body}")

    def _prefixes(self, tenant: TenantModel) -> list[str]:
        found = []
        for caller in self.callers:
            if caller.tenant is tenant and caller.kind == "api key":
                secret = dict(caller.headers).get("X-API-Key", "")
                prefix = api_keys.prefix_of(secret)
                if prefix:
                    found.append(prefix)
        return found

    @invariant()
    def what_is_stored_equals_the_model(self) -> None:
        for tenant in self.tenants:
            stored = tenant_state(self.context.session, tenant.id)
            people = {
                (u["id"], u["name"], u["email"], u["role"], u["invited_at"] is not None)
                for u in stored.users
            }
            expected_people = {
                (p.id, p.name, p.email, p.role, p.invited) for p in tenant.people.values()
            }
            if people != expected_people:
                raise self._broken(
                    f"{tenant.name} has stored exactly the people it was answered it has",
                    f"stored {sorted(people)}, expected {sorted(expected_people)}",
                )
            if len(people) > tenant.seat_limit:
                raise self._broken(f"{tenant.name}'s seat limit holds", f"{len(people)} people")
            if stored.counters != tenant.counters:
                raise self._broken(
                    f"each of {tenant.name}'s counters equals the increments answered 200",
                    f"stored {stored.counters}, expected {tenant.counters}",
                )
            keys = {
                (k["id"], k["name"], k["role"], k["revoked_at"] is not None)
                for k in stored.api_keys
            }
            expected_keys = {(k.id, k.name, k.role, k.revoked) for k in tenant.keys.values()}
            if keys != expected_keys:
                raise self._broken(
                    f"{tenant.name} has stored exactly the API keys it was answered it has",
                    f"stored {sorted(keys)}, expected {sorted(expected_keys)}",
                )
            remembered = set(idempotency_key_ages(self.context.session, tenant.id))
            if remembered != set(tenant.added_under):
                raise self._broken(
                    f"{tenant.name} has stored the Idempotency-Keys of its adds done, no other",
                    f"stored {sorted(remembered)}, expected {sorted(tenant.added_under)}",
                )

    @invariant()
    def an_invitation_goes_out_for_each_one_answered_accepted(self) -> None:
        if not self.tenants:
            return
        sent = recipients(self.context.provider)
        if sent != self.invitations_sent:
            raise self._broken(
                "an invitation e-mail goes out for each invitation answered 202, to that "
                "person, and for no other",
                f"the provider was asked to send to {sent}, expected {self.invitations_sent}",
            )

    _last_target: TenantModel | None = None

    def _aim(self, data: st.DataObject) -> tuple[Caller, TenantModel]:
        # Half the time an admin whose credentials work now, else anyone at all: most
        # callers cannot change anything, and without the admins' changes the stories stay
        # too short to reach an add and its repeat, or an invitation of someone added.
        admins = [c for c in self.callers if self._as_now(c).role() == "admin"]
        anyone = st.sampled_from(self.callers)
        caller = data.draw(st.one_of(st.sampled_from(admins), anyone), label="caller")
        target = self._aim_from(data, caller.tenant)
        return caller, target

    def _aim_from(self, data: st.DataObject, home: TenantModel | None) -> TenantModel:
        """The caller's own tenant three times in four, the other one else.

        Most of what a tenant's people do is at home, and only there do the longer stories
        (an add, then its repeat; a sign-in, then its sign-out) get told in a small budget.
        """
        others = [tenant for tenant in self.tenants if tenant is not home]
        choices = [home, home, home, *others] if home is not None else others
        target: TenantModel = data.draw(st.sampled_from(choices), label="tenant")
        self._last_target = target
        return target

    # --- the actions --------------------------------------------------------------------

    @rule(data=st.data(), name=st.sampled_from(NAMES), valid=st.booleans())
    def add_a_user(self, data: st.DataObject, name: str, valid: bool) -> None:
        caller, target = self._aim(data)
        email = _email(name, target)
        body: dict[str, Any] = (
            {"name": name, "email": email} if valid else {"name": "", "email": email}
        )

        def allowed() -> tuple[int, str | None]:
            if not valid:
                return 422, "validation_failed"
            if target.email_taken(email):
                return 409, "email_taken"
            if not target.seats_free():
                return 409, "seat_limit_reached"
            return 201, None

        blank = "" if valid else " with a blank name"
        line = f"{caller.label} adds {name} <{email}>{blank} to {target.name}"
        if self._send(
            line, caller, target, "add a user", lambda a, s, c: a.create_user(s, body, c), allowed
        ):
            assert self.answer is not None
            created = self.answer.json()
            target.people[created["id"]] = PersonModel(created["id"], name, email, "member")

    def _pick_person(self, data: st.DataObject, target: TenantModel) -> tuple[int, str]:
        """Someone of either tenant, or nobody that exists: ids are guessed across tenants too."""
        everyone = [(p.id, p.name) for t in self.tenants for p in t.people.values()]
        anyone = st.sampled_from([*everyone, (2**62, "someone unknown")])
        # Half the time one of the target's own people: the changes that go through.
        own = [(p.id, p.name) for p in target.people.values()]
        return data.draw(st.one_of(st.sampled_from(own), anyone) if own else anyone, label="person")

    @rule(data=st.data(), new_name=st.sampled_from(NAMES))
    def rename_someone(self, data: st.DataObject, new_name: str) -> None:
        caller, target = self._aim(data)
        person_id, old = self._pick_person(data, target)

        def allowed() -> tuple[int, str | None]:
            return (200, None) if person_id in target.people else (404, "not_found")

        line = f"{caller.label} renames {old} to {new_name} in {target.name}"
        request = lambda a, s, c: a.update_user(s, person_id, {"name": new_name}, c)  # noqa: E731
        if self._send(line, caller, target, "rename Bob", request, allowed):
            target.people[person_id].name = new_name

    @rule(data=st.data(), role=st.sampled_from(("admin", "member")))
    def change_someones_role(self, data: st.DataObject, role: str) -> None:
        caller, target = self._aim(data)
        person_id, name = self._pick_person(data, target)

        def allowed() -> tuple[int, str | None]:
            return (200, None) if person_id in target.people else (404, "not_found")

        article = "an" if role == "admin" else "a"
        line = f"{caller.label} makes {name} {article} {role} in {target.name}"
        request = lambda a, s, c: a.update_user(s, person_id, {"role": role}, c)  # noqa: E731
        if self._send(line, caller, target, "make Bob an admin", request, allowed):
            target.people[person_id].role = role

    @rule(data=st.data())
    def remove_someone(self, data: st.DataObject) -> None:
        caller, target = self._aim(data)
        person_id, name = self._pick_person(data, target)

        def allowed() -> tuple[int, str | None]:
            return (204, None) if person_id in target.people else (404, "not_found")

        line = f"{caller.label} removes {name} from {target.name}"
        request = lambda a, s, c: a.delete_user(s, person_id, c)  # noqa: E731
        if self._send(line, caller, target, "remove Bob", request, allowed):
            del target.people[person_id]

    @rule(data=st.data(), limit=st.integers(1, 4), offset=st.integers(0, 6))
    def list_a_page_of_users(self, data: st.DataObject, limit: int, offset: int) -> None:
        caller, target = self._aim(data)
        line = f"{caller.label} lists {target.name}'s users, {limit} from {offset}"
        request = lambda a, s, c: a.list_users(s, c, limit=limit, offset=offset)  # noqa: E731
        if self._send(line, caller, target, "list the users", request, lambda: (200, None)):
            assert self.answer is not None
            page = self.answer.json()
            expected = sorted(target.people)[offset : offset + limit]
            got = [item["id"] for item in page["items"]]
            if got != expected or page["total"] != len(target.people):
                raise self._broken(
                    "a page lists the tenant's own people, oldest first, and counts them all",
                    f"got {got} of {page['total']}, expected {expected} of {len(target.people)}",
                )

    @rule(data=st.data(), counter=st.sampled_from(COUNTERS))
    def increment_a_counter(self, data: st.DataObject, counter: str) -> None:
        caller, target = self._aim(data)
        line = f"{caller.label} increments {target.name}'s counter {counter}"
        request = lambda a, s, c: a.increment_counter(s, counter, c)  # noqa: E731
        if self._send(line, caller, target, "increment the counter", request, lambda: (200, None)):
            target.counters[counter] = target.counters.get(counter, 0) + 1

    @rule(data=st.data())
    def increment_both_counters_together(self, data: st.DataObject) -> None:
        caller, target = self._aim(data)
        line = f"{caller.label} increments {target.name}'s counters {', '.join(COUNTERS)} together"
        request = lambda a, s, c: a.increment_counters(s, list(COUNTERS), c)  # noqa: E731
        if self._send(line, caller, target, "increment the counter", request, lambda: (200, None)):
            for counter in COUNTERS:
                target.counters[counter] = target.counters.get(counter, 0) + 1

    @rule(data=st.data(), counter=st.sampled_from(COUNTERS))
    def read_a_counter(self, data: st.DataObject, counter: str) -> None:
        caller, target = self._aim(data)

        def allowed() -> tuple[int, str | None]:
            return (200, None) if counter in target.counters else (404, "not_found")

        line = f"{caller.label} reads {target.name}'s counter {counter}"
        request = lambda a, s, c: a.read_counter(s, counter, c)  # noqa: E731
        if self._send(line, caller, target, "read the counter", request, allowed):
            assert self.answer is not None
            if self.answer.json()["value"] != target.counters[counter]:
                raise self._broken(
                    "a counter reads as the increments answered 200",
                    f"read {self.answer.json()}, expected {target.counters[counter]}",
                )

    @rule(data=st.data(), role=st.sampled_from(("admin", "member")))
    def create_an_api_key(self, data: st.DataObject, role: str) -> None:
        caller, target = self._aim(data)
        name = f"{role} key {len(target.keys) + 1}"
        line = f"{caller.label} creates the {role} API key {name!r} for {target.name}"
        request = lambda a, s, c: a.create_api_key(s, {"name": name, "role": role}, c)  # noqa: E731
        if self._send(line, caller, target, "create an API key", request, lambda: (201, None)):
            assert self.answer is not None
            created = self.answer.json()
            target.keys[created["id"]] = KeyModel(created["id"], name, role)

    @rule(data=st.data())
    def revoke_an_api_key(self, data: st.DataObject) -> None:
        caller, target = self._aim(data)
        every_key = [(k.id, k.name) for t in self.tenants for k in t.keys.values()]
        key_id, name = data.draw(st.sampled_from([*every_key, (2**62, "an unknown key")]))

        def allowed() -> tuple[int, str | None]:
            return (204, None) if key_id in target.keys else (404, "not_found")

        line = f"{caller.label} revokes the API key {name!r} of {target.name}"
        request = lambda a, s, c: a.revoke_api_key(s, key_id, c)  # noqa: E731
        if self._send(line, caller, target, "revoke the API key", request, allowed):
            target.keys[key_id].revoked = True

    @rule(data=st.data())
    def list_the_api_keys(self, data: st.DataObject) -> None:
        caller, target = self._aim(data)
        line = f"{caller.label} lists {target.name}'s API keys"
        request = lambda a, s, c: a.list_api_keys(s, c, limit=100)  # noqa: E731
        if self._send(line, caller, target, "list the API keys", request, lambda: (200, None)):
            assert self.answer is not None
            listed = {(k["id"], k["revoked_at"] is not None) for k in self.answer.json()["items"]}
            expected = {(k.id, k.revoked) for k in target.keys.values()}
            if listed != expected:
                raise self._broken(
                    "the API keys listed are the tenant's own, revoked ones marked",
                    f"listed {sorted(listed)}, expected {sorted(expected)}",
                )

    @rule(data=st.data())
    def invite_someone(self, data: st.DataObject) -> None:
        caller, target = self._aim(data)
        person_id, name = self._pick_person(data, target)

        def allowed() -> tuple[int, str | None]:
            return (202, None) if person_id in target.people else (404, "not_found")

        line = f"{caller.label} invites {name} to {target.name}"
        request = lambda a, s, c: a.invite_user(s, person_id, c)  # noqa: E731
        if self._send(line, caller, target, "invite Bob", request, allowed):
            person = target.people[person_id]
            person.invited = True
            self.invitations_sent.append(person.email)

    # --- adds under an Idempotency-Key, and their repeats ---------------------------------

    @rule(data=st.data(), key=st.sampled_from(IDEMPOTENCY_KEYS))
    def add_under_a_key(self, data: st.DataObject, key: str) -> None:
        caller, target = self._aim(data)
        names = st.sampled_from(NAMES)
        first = target.added_under.get(key)
        if first is not None:  # a key already used here: half the time the same add again
            names = st.one_of(st.just(dict(first.body)["name"]), names)
        self._add_under(caller, target, key, data.draw(names, label="name"))

    @precondition(lambda self: any(tenant.added_under for tenant in self.tenants))
    @rule(
        data=st.data(),
        same=st.sampled_from((True, True, False)),  # mostly a retry, now and then a misuse
        other_name=st.sampled_from(NAMES),
    )
    def repeat_an_add_under_its_key(self, data: st.DataObject, same: bool, other_name: str) -> None:
        """An add done under a key, sent again (as a client retries) or with other details."""
        done = [(t, k, a) for t in self.tenants for k, a in t.added_under.items()]
        target, key, first = data.draw(st.sampled_from(done), label="earlier add")
        # Mostly an admin of the tenant (a client retrying); anyone else now and then.
        own = [c for c in self.callers if c.tenant is target and self._as_now(c).role() == "admin"]
        anyone = st.sampled_from(self.callers)
        caller = data.draw(st.one_of(st.sampled_from(own), anyone), label="caller")
        self._last_target = target
        self._add_under(caller, target, key, dict(first.body)["name"] if same else other_name)

    def _add_under(self, caller: Caller, target: TenantModel, key: str, name: str) -> None:
        email = _email(name, target)
        body = {"name": name, "email": email}
        first = target.added_under.get(key)
        repeat = first is not None and dict(first.body) == body

        def allowed() -> tuple[int, str | None]:
            if first is not None:
                return (first.status, None) if repeat else (422, "idempotency_key_reused")
            if target.email_taken(email):
                return 409, "email_taken"
            if not target.seats_free():
                return 409, "seat_limit_reached"
            return 201, None

        if first is None:
            line = f"{caller.label} adds {name} <{email}> to {target.name} under key {key}"
        elif repeat:
            line = f"{caller.label} repeats the add of {name} to {target.name} under key {key}"
        else:
            line = (
                f"{caller.label} adds {name} <{email}> to {target.name} under key {key}, "
                f"already used to add {dict(first.body)['name']}"
            )
        request = lambda a, s, c: a.create_user_once(s, body, key, c)  # noqa: E731
        if not self._send(line, caller, target, "add a user", request, allowed):
            return
        assert self.answer is not None
        if first is None:
            created = self.answer.json()
            target.people[created["id"]] = PersonModel(created["id"], name, email, "member")
            target.added_under[key] = KeyedAdd(
                tuple(body.items()), self.answer.status_code, self.answer.text
            )
        elif self.answer.text != first.text:
            raise self._broken(
                "a repeat under the same key is answered like the first time, byte for byte",
                f"first {first.text}, now {self.answer.text}",
            )

    # --- signing in and out ---------------------------------------------------------------

    def _pick_session(self, data: st.DataObject, signed_in_first: bool = False) -> Caller:
        sessions = [caller for caller in self.callers if caller.kind == "session"]
        holding = [caller for caller in sessions if self._as_now(caller).kind != "nobody"]
        if signed_in_first and holding:  # signing out matters most for who is signed in
            return data.draw(st.one_of(st.sampled_from(holding), st.sampled_from(sessions)))
        return data.draw(st.sampled_from(sessions), label="person")

    @rule(
        data=st.data(),
        how=st.sampled_from(("with a cookie", "with a cookie", "for a token")),  # browsers sign out
        right_password=st.sampled_from((True, True, True, False)),
    )
    def sign_in(self, data: st.DataObject, how: str, right_password: bool) -> None:
        person = self._pick_session(data)
        home = person.tenant
        assert home is not None
        target = self._aim_from(data, home)
        email = self.emails[person.record_id]
        account = (target.slug, email)
        failures = self.failed_sign_ins.get(account, 0)

        def allowed() -> tuple[int, str | None]:
            # The throttle counts an account's failures (known or not) and forgives a success.
            if failures >= self.context.settings.login_max_failures:
                return 429, "too_many_attempts"
            if right_password and target is home and person.record_id in home.people:
                return 200, None
            return 401, "invalid_credentials"

        elsewhere = "" if target is home else f" to {target.name}"
        wrong = "" if right_password else " with a wrong password"
        line = f"{person.label} signs in {how}{elsewhere}{wrong}"
        password = PASSWORD if right_password else f"not {PASSWORD}"
        request = lambda a, s, c: a.login(s, email, password)  # noqa: E731
        signed_in = self._send(line, person, target, None, request, allowed)
        if self.expected[0] == 401:
            self.failed_sign_ins[account] = failures + 1
        if not signed_in:
            return
        assert self.answer is not None
        self.failed_sign_ins.pop(account, None)
        held = SignedIn()
        if how == "for a token":
            held.token = self.answer.json()["access_token"]
        else:
            held.take_cookies(self.answer)
            if not held.headers():
                raise self._broken(
                    "signing in with a cookie leaves the session cookie in the browser",
                    f"Set-Cookie: {self.answer.headers.get_list('set-cookie')}",
                )
        self.signed_in[person.label] = held

    @rule(data=st.data())
    def sign_out(self, data: st.DataObject) -> None:
        person = self._pick_session(data, signed_in_first=True)
        assert person.tenant is not None
        self._last_target = person.tenant
        request = lambda a, s, c: a.logout(c)  # noqa: E731
        self._send(f"{person.label} signs out", person, person.tenant, None, request, _no_content)
        assert self.answer is not None
        # Whoever signs out, a browser's session cookie must go: one as sign-in sets it.
        held = self.signed_in.setdefault(person.label, SignedIn())
        held.token = None  # an app forgets its token (tokens are stateless: README)
        held.cookies.setdefault((COOKIE_NAME, "/"), "the session cookie sign-in sets")
        held.take_cookies(self.answer)
        if held.cookies:
            raise self._broken(
                "a browser that signed out holds no session cookie",
                f"still holds {sorted(held.cookies)} after Set-Cookie: "
                f"{self.answer.headers.get_list('set-cookie')}",
            )


def _no_content() -> tuple[int, str | None]:
    return 204, None


def explore(context: Exploration, budget: Budget) -> None:
    """Run the exploration; raises RuleBroken, shrunk and in business words, on a broken rule."""
    from hypothesis import seed as with_seed
    from hypothesis.stateful import run_state_machine_as_test

    machine = type("ExploredService", (ServiceMachine,), {"context": context})
    context.replay = (
        f"Replay: EXPLORE_SEED={budget.seed} EXPLORE_EXAMPLES={budget.examples} "
        f"EXPLORE_STEPS={budget.steps} (the same search again)"
        if budget.seed is not None
        else f"Replay: the stage's fixed search ({budget.examples} sequences of up to "
        f"{budget.steps} requests) finds it again on every run"
    )
    run_settings = settings(
        max_examples=budget.examples,
        stateful_step_count=budget.steps,
        derandomize=budget.seed is None,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        phases=[p for p in Phase if budget.shrink or p not in (Phase.shrink, Phase.explain)],
    )
    if budget.seed is not None:
        machine = with_seed(budget.seed)(machine)  # run_state_machine_as_test reads it there
    run_state_machine_as_test(machine, settings=run_settings)
