"""Requests sent at the same moment to a real server: what every answer and the database show.

The When steps build one call per request and hand them to `harness.parallel`, which
sends them from a bounded pool of threads, all starting together.
"""

import itertools
import json
import math
from functools import partial

from pytest_bdd import given, then, when
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from harness import faults
from harness.answers import assert_error, statuses
from harness.api import HttpResponse, ServiceApi, ids_in
from harness.auth import Headers
from harness.parallel import MAX_WORKERS, Call, open_api, run_at_once
from harness.people import listed, numbered_person
from harness.phrases import phrase
from harness.races import (
    REMOVED,
    besides_the_removal,
    by_person,
    creations,
    described,
    removals_meeting,
)
from harness.stored import counters_of, users_of
from harness.world import AppTweaks, World


def adding(slug: str, number: int) -> Call:
    """A call that adds the numbered person to the tenant."""
    return partial(_create_user, slug, numbered_person(slug, number))


def _create_user(slug: str, body: dict[str, str], api: ServiceApi) -> HttpResponse:
    return api.create_user(slug, body)


def _list_page(slug: str, api: ServiceApi) -> HttpResponse:
    return api.list_users(slug, limit=100)


def _increment(slug: str, name: str, api: ServiceApi) -> HttpResponse:
    return api.increment_counter(slug, name)


def _create_api_key(
    slug: str, body: dict[str, str], credentials: Headers, api: ServiceApi
) -> HttpResponse:
    return api.create_api_key(slug, body, credentials)


def _increment_counters(slug: str, names: list[str], api: ServiceApi) -> HttpResponse:
    return api.increment_counters(slug, names)


# Of the MAX_WORKERS threads of a flood, how many sign in (the rest read and check liveness).
SIGN_IN_LANES = 7


def _sign_in(slug: str, email: str, password: str, api: ServiceApi) -> HttpResponse:
    return api.login(slug, email, password)


def _liveness(api: ServiceApi) -> HttpResponse:
    return api.liveness()


# How long the batch job holds the row: longer than a request waits for a connection.
JOB_S = 3.0

# --- When -------------------------------------------------------------------------------


@when(phrase("{tenant:Name} adds {count:d} different people at the same moment"))
def add_many(world: World, live_server_url: str, tenant: str, count: int) -> None:
    slug = world.tenant(tenant).slug
    world.answers = run_at_once(live_server_url, [adding(slug, n) for n in range(count)])


@when(phrase("{tenant:Name} adds {count:d} different people at the same moment, {keying:Keying}"))
def add_many_keyed(
    world: World, live_server_url: str, admin_engine: Engine, tenant: str, count: int, keying: str
) -> None:
    slug = world.tenant(tenant).slug
    bodies = [numbered_person(slug, n) for n in range(count)]
    # The first arrivals all count the seats, then meet at the insert: a seat count without
    # its lock loses every run, not two in three (the arrivals alone rarely overlap enough).
    # The caller's key is marked as used first (at most once a minute): the first arrivals'
    # mark would otherwise hold the key's row while they wait at the insert, and hold back
    # the others from counting.
    open_api(live_server_url).list_users(slug, limit=1)
    with faults.inserts_held(admin_engine, "users"):
        world.answers = run_at_once(live_server_url, creations(slug, bodies, keying))


@when(
    phrase(
        "{tenant:Name} removes each of its users and sends each {rival:Rival} at the same moment"
    )
)
def remove_each_meeting(
    world: World, db_session: Session, live_server_url: str, tenant: str, rival: str
) -> None:
    acme = world.tenant(tenant)
    user_ids = [user["id"] for user in users_of(db_session, acme.id)]
    calls, world.aims = removals_meeting(acme.slug, user_ids, rival)
    world.answers = run_at_once(live_server_url, calls, lockstep=True)


@when(
    phrase(
        '{tenant:Name} adds {person:Name} with the email "{email:Text}" {count:d} times '
        "at the same moment"
    )
)
def add_same_email(
    world: World, live_server_url: str, tenant: str, person: str, email: str, count: int
) -> None:
    slug = world.tenant(tenant).slug
    body = {"name": person, "email": email}
    world.answers = run_at_once(live_server_url, [lambda api: api.create_user(slug, body)] * count)


@when(
    phrase(
        "{tenant:Name} adds {person:Name} {count:d} times at the same moment under one "
        "idempotency key"
    )
)
def add_once_under_key(
    world: World, live_server_url: str, tenant: str, person: str, count: int
) -> None:
    slug = world.tenant(tenant).slug
    body = {"name": person, "email": f"{person.lower()}@{slug}.example"}
    call: Call = lambda api: api.create_user_once(slug, body, key="add-sam-once")  # noqa: E731
    world.answers = run_at_once(live_server_url, [call] * count)


@when(
    phrase('{tenant:Name} increments its counter "{name:Text}" {count:d} times at the same moment')
)
def increment_many(world: World, live_server_url: str, tenant: str, name: str, count: int) -> None:
    slug = world.tenant(tenant).slug
    world.answers = run_at_once(live_server_url, [partial(_increment, slug, name)] * count)


@when(
    phrase(
        '{tenant:Name} increments the counters "{names:Text}" {count:d} times at the same '
        "moment, in varying orders"
    )
)
def increment_overlapping(
    world: World, live_server_url: str, tenant: str, names: str, count: int
) -> None:
    slug = world.tenant(tenant).slug
    # Every order of the names, in turn: requests lock the same rows in opposite orders.
    orders = itertools.cycle(itertools.permutations(listed(names)))
    calls: list[Call] = [
        partial(_increment_counters, slug, list(order)) for order in itertools.islice(orders, count)
    ]
    world.answers = run_at_once(live_server_url, calls)


@when(phrase("{tenant:Name} starts {count:d} new counters at the same moment"))
def start_many_counters(world: World, live_server_url: str, tenant: str, count: int) -> None:
    slug = world.tenant(tenant).slug
    calls: list[Call] = [partial(_increment, slug, f"counter-{n}") for n in range(count)]
    world.answers = run_at_once(live_server_url, calls)


@when(phrase("{caller:Caller} creates {count:d} API keys for {tenant:Name} at the same moment"))
def create_many_keys(
    world: World,
    live_server_url: str,
    admin_engine: Engine,
    caller: str,
    count: int,
    tenant: str,
) -> None:
    slug, credentials = world.tenant(tenant).slug, world.credentials(caller)
    calls: list[Call] = [
        partial(_create_api_key, slug, {"name": f"key {n}"}, credentials) for n in range(count)
    ]
    # As the seats: every creation counts the active keys, then they meet at the insert,
    # so a count without its lock loses every run. The caller's own key is marked as used
    # first: its mark is a write to the same table, which the gate would hold too.
    open_api(live_server_url).list_users(slug, credentials, limit=1)
    with faults.inserts_held(admin_engine, "api_keys"):
        world.answers = run_at_once(live_server_url, calls)


@when(
    phrase(
        "{first:Name} and {second:Name} each send {count:d} requests at the same moment, "
        "adding and listing their users"
    )
)
def two_tenants_busy(
    world: World, live_server_url: str, first: str, second: str, count: int
) -> None:
    calls: list[Call] = []
    for n in range(count):
        for tenant in (first, second):  # interleaved, so the two tenants' requests overlap
            slug = world.tenant(tenant).slug
            calls.append(adding(slug, n) if n % 2 == 0 else partial(_list_page, slug))
            world.senders.append(tenant)
    world.answers = run_at_once(live_server_url, calls)


@when(
    phrase(
        "{count:d} sign-ins with made-up emails reach {tenant:Name} while {other:Name} reads "
        "its users and operations check liveness"
    )
)
def sign_in_flood(world: World, live_server_url: str, count: int, tenant: str, other: str) -> None:
    slug, other_slug = world.tenant(tenant).slug, world.tenant(other).slug
    calls: list[Call] = []
    # Call i goes to worker i % MAX_WORKERS: seven workers sign in all along, two read for
    # the other tenant and one checks liveness, round after round, so the reads meet the
    # flood, not its end.
    for round_ in range(math.ceil(count / SIGN_IN_LANES)):
        for lane in range(MAX_WORKERS):
            if lane < SIGN_IN_LANES:
                email = f"made-up.{round_}.{lane}@{slug}.example"
                calls.append(partial(_sign_in, slug, email, "a guess"))
                world.senders.append("sign-in")
            elif lane < MAX_WORKERS - 1:
                calls.append(partial(_list_page, other_slug))
                world.senders.append(other)
            else:
                calls.append(_liveness)
                world.senders.append("liveness")
    world.answers = run_at_once(live_server_url, calls)


@given(phrase("the service checks up to {count:d} passwords at once"))
def password_checks_at_once(app_tweaks: AppTweaks, count: int) -> None:
    app_tweaks.set(login_max_concurrent_checks=count)


@when(phrase("someone guesses {person:Name}'s password {count:d} times at the same moment"))
def guesses_at_once(
    world: World, live_server_url: str, admin_engine: Engine, person: str, count: int
) -> None:
    slug, email = world.tenant_of(person).slug, world.person(person).email
    # As the seats: every guess let in counts the failures, then they meet at recording
    # theirs. Counted under the account's lock they queue one behind the other; without it
    # they all counted none and all get a password check, every run.
    with faults.inserts_held(admin_engine, "login_failures"):
        world.answers = run_at_once(
            live_server_url, [partial(_sign_in, slug, email, "a guess")] * count
        )


# --- Then -------------------------------------------------------------------------------


@then(phrase("every one of the {count:d} answers is {status:d}"))
def every_answer_is(world: World, count: int, status: int) -> None:
    assert len(world.answers) == count
    wrong = [a for a in world.answers if a.status_code != status]
    assert not wrong, f"{statuses(world.answers)}; first wrong: {wrong[0].text}"


@then(phrase("exactly {count:d} answer{s:S} {verb:Is} {status:d}"))
def exactly_answers_are(world: World, count: int, s: str, verb: str, status: int) -> None:
    assert statuses(world.answers)[status] == count, statuses(world.answers)


@then(phrase('the other {count:d} answers are {status:d} with the error "{code:Text}"'))
def other_answers_are(world: World, count: int, status: int, code: str) -> None:
    others = [a for a in world.answers if not 200 <= a.status_code < 300]
    assert len(others) == count, statuses(world.answers)
    for answer in others:
        assert_error(answer, status, code)


@then("each of them is removed exactly once")
def each_removed_once(world: World) -> None:
    wrong = {
        user_id: described(answers)
        for user_id, answers in by_person(world.answers, world.aims)
        if statuses(answers)[REMOVED] != 1
    }
    assert not wrong, f"not removed exactly once, by user id (removal first): {wrong}"


@then(phrase('every other answer is {done:d} or {status:d} with the error "{code:Text}"'))
def every_other_answer(world: World, done: int, status: int, code: str) -> None:
    wrong = {}
    for user_id, answers in by_person(world.answers, world.aims):
        rest = besides_the_removal(answers)
        if any(answer.status_code not in (done, status) for answer in rest):
            wrong[user_id] = described(answers)
        for refusal in (answer for answer in rest if answer.status_code == status):
            assert_error(refusal, status, code)
    assert not wrong, f"{statuses(world.answers)}; by user id (removal first): {wrong}"


@then(phrase("the answers show every value from 1 to {last:d} once"))
def every_value_once(world: World, last: int) -> None:
    assert statuses(world.answers) == {200: last}, statuses(world.answers)
    values = sorted(answer.json()["value"] for answer in world.answers)
    assert values == list(range(1, last + 1)), f"repeated or missing values: {values}"


@then(phrase("all {count:d} answers are identical"))
def answers_identical(world: World, count: int) -> None:
    assert len(world.answers) == count
    distinct = {(a.status_code, a.text) for a in world.answers}
    assert len(distinct) == 1, distinct


@then(phrase("no answer to {tenant:Name} shows anything of {other:Name}'s"))
def no_answer_leaks(world: World, db_session: Session, tenant: str, other: str) -> None:
    their_ids = {user["id"] for user in users_of(db_session, world.tenant(other).id)}
    their_domain = f"@{world.tenant(other).slug}.example"
    answers = [a for a, s in zip(world.answers, world.senders, strict=True) if s == tenant]
    assert answers, f"{tenant} sent nothing"
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text  # a failure would hide nothing
        assert their_domain not in answer.text, (
            f"{other}'s data in {tenant}'s answer: {answer.text}"
        )
        leaked = ids_in(json.loads(answer.text)) & their_ids
        assert not leaked, f"{other}'s user ids {leaked} in {tenant}'s answer: {answer.text}"


@then(phrase("each of {first:Name} and {second:Name} has exactly the people it added stored"))
def each_has_its_own(world: World, db_session: Session, first: str, second: str) -> None:
    for tenant in (first, second):
        slug = world.tenant(tenant).slug
        added = sorted(
            answer.json()["email"]
            for answer, sender in zip(world.answers, world.senders, strict=True)
            if sender == tenant and answer.status_code == 201
        )
        stored = sorted(user["email"] for user in users_of(db_session, world.tenant(tenant).id))
        assert added, f"{tenant} added nobody"
        assert stored == added, f"{tenant} stored {stored}, added {added}"
        assert all(email.endswith(f"@{slug}.example") for email in stored), stored


@then(phrase("every one of {other:Name}'s reads and liveness checks succeeded"))
def others_served(world: World, other: str) -> None:
    served = [
        (sender, answer)
        for sender, answer in zip(world.senders, world.answers, strict=True)
        if sender in (other, "liveness")
    ]
    assert served, f"{other} sent nothing"
    failed = [(sender, a.status_code, a.text[:200]) for sender, a in served if a.status_code != 200]
    assert not failed, f"{len(failed)} of {len(served)} failed, first: {failed[0]}"


@then("every sign-in was refused as a wrong password, or asked to retry later")
def sign_ins_refused_or_deferred(world: World) -> None:
    sign_ins = [a for s, a in zip(world.senders, world.answers, strict=True) if s == "sign-in"]
    assert sign_ins, "no sign-in was sent"
    for answer in sign_ins:
        if answer.status_code == 401:
            assert_error(answer, 401, "invalid_credentials")
        else:
            assert answer.status_code in (429, 503), f"{answer.status_code}: {answer.text}"
            assert int(answer.headers["Retry-After"]) >= 1, answer.headers


@given(phrase("the service has {count:d} database connection{s:S} to share"))
def few_connections(app_tweaks: AppTweaks, count: int, s: str) -> None:
    # A request waits a second at most for a free connection: a queue longer than that is
    # a refusal, not a slow answer.
    app_tweaks.set(db_pool_size=count, db_max_overflow=0, db_pool_timeout_s=1.0)


@when(
    phrase(
        '{tenant:Name}\'s increments of "{name:Text}" pile up behind a batch job holding it, '
        "while {other:Name} reads its users"
    )
)
def pile_up_behind_a_job(
    world: World,
    live_server_url: str,
    admin_engine: Engine,
    tenant: str,
    name: str,
    other: str,
) -> None:
    held, reader = world.tenant(tenant), world.tenant(other)
    calls: list[Call] = []
    # Seven lanes of increments that wait on the held row, three lanes of the other
    # tenant's reads, round after round: the reads meet the queue, not its end.
    for _ in range(3):
        for lane in range(MAX_WORKERS):
            if lane < 7:
                calls.append(partial(_increment, held.slug, name))
                world.senders.append(tenant)
            else:
                calls.append(partial(_list_page, reader.slug))
                world.senders.append(other)
    with faults.counter_held_for(admin_engine, held.id, name, seconds=JOB_S):
        world.answers = run_at_once(live_server_url, calls)


@then(phrase("every one of {tenant:Name}'s reads succeeded"))
def every_read_succeeded(world: World, tenant: str) -> None:
    reads = [a for a, s in zip(world.answers, world.senders, strict=True) if s == tenant]
    assert reads, f"{tenant} read nothing"
    failed = [a for a in reads if a.status_code != 200]
    assert not failed, f"{len(failed)} of {len(reads)} failed, first: {failed[0].text}"


@then(
    phrase(
        '{tenant:Name}\'s counter "{name:Text}" is stored as the {start:d} it stood at plus '
        "every increment answered 200"
    )
)
def counter_is_start_plus_answered(
    world: World, db_session: Session, tenant: str, name: str, start: int
) -> None:
    mine = [a for a, s in zip(world.answers, world.senders, strict=True) if s == tenant]
    counted = sum(a.status_code == 200 for a in mine)
    stored = counters_of(db_session, world.tenant(tenant).id).get(name)
    assert stored == start + counted, f"stored {stored}, {counted} increments answered 200"
    for answer in mine:
        assert answer.status_code == 200 or answer.headers.get("Retry-After"), answer.text
