"""Generated batches of mixed requests sent at the same moment, checked by rule after each batch.

Each batch mixes, from Acme's and Globex's admins: adding people (with and without an
Idempotency-Key, with e-mails that collide on purpose), renaming and removing the same
people, single and batch increments of the same counters, inviting, creating and revoking
API keys. The batch goes to a real server at once (harness.parallel). Afterwards:

- every answer is one the API documents for that request; no 5xx (a deadlock or a statement
  timeout surfacing as 503 is a failure too), and every error has the one shape;
- no two requests deadlocked, not even once where the service's re-run hid it from the
  caller (a hidden deadlock still costs a caller a detection wait and a re-run, and under
  more load it is lost every time);
- nothing of one tenant is in an answer to the other;
- what is stored is what some one-after-another order of the answered requests gives:
  each counter moved by exactly its answered increments, the people are those there before
  plus those answered 201 minus those answered 204, within the seat limit, every repeat
  under one key answered like the first; the keys likewise.

Seeded (`random.Random(seed)`), a fixed number of batches; every request has a timeout.
"""

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.orm import Session

from harness.api import HttpResponse, ServiceApi
from harness.auth import Headers
from harness.lost_races import deadlock_victims
from harness.parallel import Call, run_at_once
from harness.stored import api_keys_of, counters_of, users_of

COUNTERS = ("visits", "orders")
EMAILS = ("ann", "bea", "cid", "dan", "eve", "fay", "gus", "hal", "ida", "jon", "kim", "lea")
# What the API documents for each kind of request (status, error code or None).
DOCUMENTED: dict[str, set[tuple[int, str | None]]] = {
    "add": {(201, None), (409, "email_taken"), (409, "seat_limit_reached")},
    "rename": {(200, None), (404, "not_found")},
    "remove": {(204, None), (404, "not_found")},
    "increment": {(200, None)},
    "increment together": {(200, None)},
    "invite": {(202, None), (404, "not_found")},
    "create key": {(201, None)},
    "revoke key": {(204, None), (404, "not_found")},
}


class BatchRuleBroken(AssertionError):
    """A rule broken by a batch of requests sent at the same moment."""


@dataclass(frozen=True)
class Sent:
    """One request of a batch: what it was, in business words, and whose."""

    kind: str
    tenant: str  # slug
    line: str
    call: Call
    subject: str = ""  # the e-mail, counter, person id or key id it is about
    idempotency_key: str | None = None


@dataclass
class Party:
    """One tenant as the explorer drives it."""

    slug: str
    tenant_id: int
    seat_limit: int
    admin: Headers
    keys_made: int = 0
    people: dict[int, str] = field(default_factory=dict)  # id -> email, as stored
    keys: dict[int, bool] = field(default_factory=dict)  # id -> revoked, as stored


def _add(
    slug: str, body: dict[str, str], key: str | None, admin: Headers, api: ServiceApi
) -> HttpResponse:
    if key is None:
        return api.create_user(slug, body, admin)
    return api.create_user_once(slug, body, key, admin)


def _rename(slug: str, user_id: int, name: str, admin: Headers, api: ServiceApi) -> HttpResponse:
    return api.update_user(slug, user_id, {"name": name}, admin)


def _remove(slug: str, user_id: int, admin: Headers, api: ServiceApi) -> HttpResponse:
    return api.delete_user(slug, user_id, admin)


def _increment(slug: str, name: str, admin: Headers, api: ServiceApi) -> HttpResponse:
    return api.increment_counter(slug, name, admin)


def _increment_together(
    slug: str, names: list[str], admin: Headers, api: ServiceApi
) -> HttpResponse:
    return api.increment_counters(slug, names, admin)


def _invite(slug: str, user_id: int, admin: Headers, api: ServiceApi) -> HttpResponse:
    return api.invite_user(slug, user_id, admin)


def _create_key(slug: str, name: str, admin: Headers, api: ServiceApi) -> HttpResponse:
    return api.create_api_key(slug, {"name": name, "role": "member"}, admin)


def _revoke_key(slug: str, key_id: int, admin: Headers, api: ServiceApi) -> HttpResponse:
    return api.revoke_api_key(slug, key_id, admin)


# What each batch is mostly about, in turn: every run meets every kind of race, and the
# generator picks who, what and in which order.
THEMES: dict[str, tuple[str, ...]] = {
    "people arrive": ("add",),
    "people change and leave": ("rename", "remove", "invite"),
    "counters go up": ("increment", "increment together"),
    "keys come and go": ("create key", "revoke key"),
    "a bit of everything": (
        "add",
        "increment",
        "increment together",
        "create key",
        "rename",
        "remove",
        "invite",
        "revoke key",
    ),
}


def _possible(kind: str, party: Party) -> bool:
    if kind in ("rename", "remove", "invite"):
        return bool(party.people)
    if kind == "revoke key":
        return bool(party.keys)
    return True


def make_batch(
    rng: random.Random, parties: list[Party], size: int, number: int, theme: str
) -> list[Sent]:
    """`size` requests from the parties, interleaved, mostly of `theme`, aimed at the same
    few records (one or two people, the same counters), so that they meet.

    Idempotency keys are this batch's own (`number`): a key repeated in a later batch would
    rightly replay an answer about someone removed since.
    """
    if theme == "people change and leave":
        return _removals_meeting_rivals(rng, parties)
    batch: list[Sent] = []
    for n in range(size):
        party = parties[n % len(parties)]
        slug, admin = party.slug, party.admin
        kinds = [k for k in THEMES[theme] if _possible(k, party)] or ["add", "increment"]
        kind = rng.choice(kinds)
        if kind == "add":
            who = rng.choice(EMAILS)
            email = f"{who}@{slug}.example"
            key = rng.choice([None, f"add-{who}-{number}-{n}"])
            body = {"name": who.title(), "email": email}
            line = f"{slug} adds {email}" + (f" under the key {key}" if key else "")
            batch.append(Sent(kind, slug, line, partial(_add, slug, body, key, admin), email, key))
        elif kind in ("rename", "remove", "invite"):
            user_id = rng.choice(sorted(party.people)[:2])  # the same one or two: they collide
            verb = {"rename": "renames", "remove": "removes", "invite": "invites"}[kind]
            line = f"{slug} {verb} {party.people[user_id]}"
            call = {
                "rename": partial(_rename, slug, user_id, rng.choice(["Al", "Bo"]), admin),
                "remove": partial(_remove, slug, user_id, admin),
                "invite": partial(_invite, slug, user_id, admin),
            }[kind]
            batch.append(Sent(kind, slug, line, call, str(user_id)))
        elif kind == "increment":
            name = rng.choice(COUNTERS)
            line = f"{slug} increments {name}"
            batch.append(Sent(kind, slug, line, partial(_increment, slug, name, admin), name))
        elif kind == "increment together":
            names = rng.sample(COUNTERS, len(COUNTERS))
            line = f"{slug} increments {', '.join(names)} together"
            call = partial(_increment_together, slug, names, admin)
            batch.append(Sent(kind, slug, line, call, ",".join(names)))
        elif kind == "create key":
            party.keys_made += 1
            name = f"key {party.keys_made}"
            line = f"{slug} creates the API key {name!r}"
            batch.append(Sent(kind, slug, line, partial(_create_key, slug, name, admin), name))
        else:
            key_id = rng.choice(sorted(party.keys)[:2])
            line = f"{slug} revokes API key {key_id}"
            call = partial(_revoke_key, slug, key_id, admin)
            batch.append(Sent(kind, slug, line, call, str(key_id)))
    return batch


def _removals_meeting_rivals(rng: random.Random, parties: list[Party]) -> list[Sent]:
    """Every person removed while a rename and an invitation of the same person are sent
    side by side with it (one round): the race is met many times in every run, not by luck."""
    batch: list[Sent] = []
    for party in parties:
        slug, admin = party.slug, party.admin
        for user_id, email in sorted(party.people.items()):
            group = [
                Sent(
                    "remove",
                    slug,
                    f"{slug} removes {email}",
                    partial(_remove, slug, user_id, admin),
                    str(user_id),
                ),
                Sent(
                    "rename",
                    slug,
                    f"{slug} renames {email}",
                    partial(_rename, slug, user_id, rng.choice(["Al", "Bo"]), admin),
                    str(user_id),
                ),
                Sent(
                    "invite",
                    slug,
                    f"{slug} invites {email}",
                    partial(_invite, slug, user_id, admin),
                    str(user_id),
                ),
            ]
            rng.shuffle(group)
            batch += group
    return batch


@dataclass
class BatchExplorer:
    base_url: str
    session: Session
    parties: list[Party]
    seed: int
    batches: int = 15
    size: int = 20
    story: list[str] = field(default_factory=list)

    def run(self) -> None:
        rng = random.Random(self.seed)
        for number in range(1, self.batches + 1):
            before = {p.slug: counters_of(self.session, p.tenant_id) for p in self.parties}
            theme = list(THEMES)[(number - 1) % len(THEMES)]
            batch = make_batch(rng, self.parties, self.size, number, theme)
            self.story = [
                f"batch {number} ({theme}) of seed {self.seed}, in rounds at the same moment:"
            ] + [f"  {sent.line}" for sent in batch]
            calls = [sent.call for sent in batch]
            with deadlock_victims() as victims:
                answers = run_at_once(self.base_url, calls, lockstep=True)
            for sent, answer in zip(batch, answers, strict=True):
                self._check_answer(sent, answer)
            if victims.count:
                raise self._broken(
                    "no two requests deadlock, not even where the service's re-run hides it",
                    f"{victims.count} writes were deadlock victims and were re-run",
                )
            for party in self.parties:
                self._check_stored(party, batch, answers, before[party.slug])

    def _broken(self, rule: str, detail: str) -> BatchRuleBroken:
        return BatchRuleBroken(f"Rule broken: {rule}\n  {detail}\n" + "\n".join(self.story))

    def _check_answer(self, sent: Sent, answer: HttpResponse) -> None:
        code = None
        if answer.status_code >= 400:
            error = answer.json().get("error") if answer.text.startswith("{") else None
            if not (isinstance(error, dict) and error.get("code") and error.get("message")):
                raise self._broken("every error has the one shape", f"{sent.line}: {answer.text}")
            code = error["code"]
        if (answer.status_code, code) not in DOCUMENTED[sent.kind]:
            raise self._broken(
                "every answer is one the API documents for that request (no 5xx, no timeout)",
                f"{sent.line} -> {answer.status_code}: {answer.text}",
            )
        for other in self.parties:
            if other.slug != sent.tenant and f"@{other.slug}.example" in answer.text:
                raise self._broken(
                    "nothing of one tenant reaches the other", f"{sent.line} -> {answer.text}"
                )

    def _check_stored(
        self,
        party: Party,
        batch: list[Sent],
        answers: list[HttpResponse],
        counters_before: dict[str, int],
    ) -> None:
        mine = [(s, a) for s, a in zip(batch, answers, strict=True) if s.tenant == party.slug]
        increments: Counter[str] = Counter()
        for sent, answer in mine:
            if answer.status_code == 200 and sent.kind in ("increment", "increment together"):
                increments.update(sent.subject.split(","))
        counters = counters_of(self.session, party.tenant_id)
        expected_counters = {
            name: counters_before.get(name, 0) + increments[name]
            for name in set(counters_before) | set(increments)
        }
        if counters != expected_counters:
            raise self._broken(
                f"{party.slug}'s counters moved by exactly the increments answered 200",
                f"stored {counters}, expected {expected_counters}",
            )
        people = dict(party.people)
        firsts: dict[str, str] = {}
        for sent, answer in mine:
            if sent.kind == "add" and answer.status_code == 201:
                body = answer.json()
                people[body["id"]] = body["email"]
                if sent.idempotency_key is not None:
                    first = firsts.setdefault(sent.idempotency_key, answer.text)
                    if first != answer.text:
                        raise self._broken(
                            "every repeat under one idempotency key is answered like the first",
                            f"{first} != {answer.text}",
                        )
        for sent, answer in mine:
            if sent.kind == "remove" and answer.status_code == 204:
                people.pop(int(sent.subject), None)
        stored = {row["id"]: row["email"] for row in users_of(self.session, party.tenant_id)}
        if stored != people:
            raise self._broken(
                f"{party.slug} stores exactly the people before, plus those answered 201, "
                "minus those answered 204",
                f"stored {sorted(stored.values())}, expected {sorted(people.values())}",
            )
        if len(stored) > party.seat_limit:
            raise self._broken(f"{party.slug}'s seat limit holds", f"{len(stored)} people")
        keys = dict(party.keys)
        for sent, answer in mine:
            if sent.kind == "create key" and answer.status_code == 201:
                keys[answer.json()["id"]] = False
            if sent.kind == "revoke key" and answer.status_code == 204:
                keys[int(sent.subject)] = True
        stored_keys = {
            row["id"]: row["revoked_at"] is not None
            for row in api_keys_of(self.session, party.tenant_id)
            if row["name"].startswith("key ")
        }
        if stored_keys != keys:
            raise self._broken(
                f"{party.slug} stores exactly the API keys it was answered it has",
                f"stored {stored_keys}, expected {keys}",
            )
        party.people, party.keys = stored, stored_keys


def explore_batches(explorer: BatchExplorer, on_failure: Callable[[str], None]) -> None:
    try:
        explorer.run()
    except BatchRuleBroken as broken:
        on_failure(str(broken))
