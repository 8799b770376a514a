"""Signing in and out: passwords, tokens, the browser's cookie, and the sign-in throttle.

Givens say who is signed in, not how: tokens are minted with the service's own token
code, except where signing in itself is the behaviour.
"""

import os
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import jwt
from argon2 import PasswordHasher
from fastapi import FastAPI
from pytest_bdd import given, then, when
from sqlalchemy import func
from sqlalchemy.orm import Session

from app.auth.credentials import COOKIE_NAME
from app.auth.passwords import HashCost
from app.auth.throttle import account_key
from app.settings import Settings
from harness.answers import assert_alike, reading
from harness.api import HttpResponse, ServiceApi
from harness.auth import (
    SUITE_HASH_COST,
    bearer,
    cookie,
    cookies,
    forged_token,
    made_up_credentials,
    signed_with_suite_key,
    token_in,
)
from harness.factories import LoginFailureFactory, store_password
from harness.odd_input import first_counterexample, odd_claims, shown, sign_in_forms
from harness.people import add_person, email_of, new_user, sign_in
from harness.phrases import phrase
from harness.statements import first_difference, statements_run
from harness.stored import all_failed_sign_ins, failed_sign_ins, password_hash_of
from harness.world import AppTweaks, World

WRONG_PASSWORD = "not-her-password"
# What the scenarios mean by "another cost": more passes than the suite's own.
ANOTHER_COST = HashCost(
    time_cost=SUITE_HASH_COST.time_cost + 1,
    memory_kib=SUITE_HASH_COST.memory_kib,
    parallelism=SUITE_HASH_COST.parallelism,
)


def _set_cookie(answer: HttpResponse) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    jar.load(answer.headers.get("set-cookie", ""))
    return jar


# --- Given ------------------------------------------------------------------------------


@given(phrase("{person:Name}, {role:ARole} of {tenant:Name}, is signed in"))
@given(phrase("{person:Name} is signed in to {tenant:Name} as {role:ARole}"))
def person_signed_in(
    world: World, service_settings: Settings, person: str, role: str, tenant: str
) -> None:
    add_person(world, person, role, tenant)
    sign_in(world, service_settings, person)


@given(phrase("{person:Name} has signed in to {tenant:Name} with her password"))
def signed_in_with_password(world: World, api: ServiceApi, person: str, tenant: str) -> None:
    answer = api.login(world.tenant(tenant).slug, email_of(person, tenant), world.passwords[person])
    assert answer.status_code == 200, answer.text
    world.signed_in[person] = bearer(answer.json()["access_token"])
    world.signed_in[f"{person}'s browser"] = cookie(_set_cookie(answer)[COOKIE_NAME].value)


@given(phrase("{person:Name} holds {kind:Forgery}"))
def holds_forged_token(world: World, service_settings: Settings, person: str, kind: str) -> None:
    token = forged_token(kind, service_settings, world.person(person), world.tenant_of(person).slug)
    world.signed_in[person] = bearer(token)


@given(phrase("{person:Name}'s account has had {count:d} failed sign-ins"))
def failed_before(world: World, person: str, count: int) -> None:
    user = world.person(person)
    account = account_key(world.tenant_of(person).slug, user.email)
    LoginFailureFactory.create_batch(count, account=account)


@given(
    phrase(
        "{person:Name}'s account has had {count:d} failed sign-ins, "
        "which leave the window in {seconds:d} second{s:S}"
    )
)
def failed_leaving_window(
    world: World, service_settings: Settings, person: str, count: int, seconds: int, s: str
) -> None:
    # Aged on the database's clock, the one the throttle reads (in the savepoint mode the
    # scenario's transaction start, the same for every request of the scenario).
    age = timedelta(seconds=service_settings.login_failure_window_s - seconds)
    account = account_key(world.tenant_of(person).slug, world.person(person).email)
    LoginFailureFactory.create_batch(count, account=account, failed_at=func.now() - age)


@given(
    phrase(
        "{person:Name}'s account has had {count:d} failed sign-ins, "
        "which left the window {seconds:d} second{s:S} ago"
    )
)
def failed_past_window(
    world: World, service_settings: Settings, person: str, count: int, seconds: int, s: str
) -> None:
    failed_leaving_window(world, service_settings, person, count, -seconds, s)


@given(phrase("someone has tried {person:Name}'s email with a wrong password {count:d} times"))
def tried_wrong_password(
    world: World, api: ServiceApi, db_session: Session, app: FastAPI, person: str, count: int
) -> None:
    slug, email = world.tenant_of(person).slug, world.person(person).email
    with statements_run(db_session.get_bind(), app.state.engine) as statements:
        world.earlier_answers = [api.login(slug, email, WRONG_PASSWORD) for _ in range(count)]
    world.earlier_statements = statements


@given(phrase("{count:d} failed sign-ins of made-up accounts, all older than the window"))
def old_failures(world: World, service_settings: Settings, count: int) -> None:
    window = timedelta(seconds=service_settings.login_failure_window_s)
    long_ago = datetime.now(UTC) - window - timedelta(minutes=1)
    LoginFailureFactory.create_batch(count, failed_at=long_ago)


@given(phrase("{person:Name}'s password was stored when passwords were hashed at another cost"))
def password_at_another_cost(world: World, db_session: Session, person: str) -> None:
    store_password(db_session, world.person(person), world.passwords[person], ANOTHER_COST)


@given(phrase("the service takes {count:d} sign-ins per address per minute"))
def sign_ins_per_address(app_tweaks: AppTweaks, count: int) -> None:
    app_tweaks.set(login_client_max_attempts=count, login_client_window_s=60)


@given(
    phrase(
        "passwords are checked at production cost, with {count:d} database connection{s:S} to share"
    )
)
def production_cost_few_connections(app_tweaks: AppTweaks, count: int, s: str) -> None:
    production = Settings.model_fields
    app_tweaks.set(
        # The service's own defaults: about a quarter of a second of CPU per check.
        password_hash_time_cost=production["password_hash_time_cost"].default,
        password_hash_memory_kib=production["password_hash_memory_kib"].default,
        password_hash_parallelism=production["password_hash_parallelism"].default,
        # As the setting advises: about as many checks at once as the machine has cores.
        login_max_concurrent_checks=os.cpu_count() or 1,
        db_pool_size=count,
        db_max_overflow=0,
        # A request that cannot get a connection in this time is answered 503.
        db_pool_timeout_s=1.0,
    )


# --- When -------------------------------------------------------------------------------


@when(phrase('{person:Name} signs in to {tenant:Name} with the password "{password:Text}"'))
def signs_in(world: World, api: ServiceApi, person: str, tenant: str, password: str) -> None:
    world.response = api.login(world.tenant(tenant).slug, email_of(person, tenant), password)


@when(
    phrase(
        'someone tries {count:d} times to sign in to the tenant "{slug:Text}" as "{email:Text}" '
        "with {person:Name}'s password"
    )
)
def someone_signs_in_repeatedly(
    world: World,
    api: ServiceApi,
    db_session: Session,
    app: FastAPI,
    count: int,
    slug: str,
    email: str,
    person: str,
) -> None:
    password = world.passwords[person]
    with statements_run(db_session.get_bind(), app.state.engine) as statements:
        world.answers = [api.login(slug, email, password) for _ in range(count)]
    world.statements = statements


@when(
    phrase(
        "someone signs in with many odd emails and passwords, each to {tenant:Name} and to "
        'the tenant "{slug:Text}"'
    )
)
def odd_sign_ins(world: World, api: ServiceApi, tenant: str, slug: str) -> None:
    existing = world.tenant(tenant).slug

    def probe(typed: tuple[str, str]) -> str | None:
        email, password = typed
        here, there = api.login(existing, email, password), api.login(slug, email, password)
        world.earlier_answers.append(here)
        world.answers.append(there)
        world.tried.append(f"the email {shown(email)} and the password {shown(password)}")
        if max(here.status_code, there.status_code) >= 500 or reading(here) != reading(there):
            return world.tried[-1]
        return None

    first_counterexample(sign_in_forms(), probe)


@when(
    phrase(
        "someone adds Carol to {tenant:Name} with many tokens signed with the service's key, "
        "each with an odd user, tenant or role"
    )
)
def odd_tokens(world: World, api: ServiceApi, tenant: str) -> None:
    alice = world.person("Alice")
    slug = world.tenant(tenant).slug

    def probe(claims: dict[str, object]) -> str | None:
        token = signed_with_suite_key(claims)
        answer = api.create_user(slug, new_user("Carol", tenant), bearer(token))
        world.answers.append(answer)
        world.tried.append(
            f"a token for the user {shown(claims['sub'])} of the tenant "
            f"{shown(claims['tenant'])} with the role {shown(claims['role'])}"
        )
        refused = answer.status_code == 401 and reading(answer)[1] == "invalid_credentials"
        return None if refused else world.tried[-1]

    first_counterexample(odd_claims(alice.id, slug), probe)


@when(
    phrase("a browser lists the users of {tenant:Name} with the session cookies of {people:Names}")
)
def lists_with_cookies(world: World, api: ServiceApi, tenant: str, people: list[str]) -> None:
    sent = cookies(*(token_in(world.credentials(person)) for person in people))
    world.response = api.list_users(world.tenant(tenant).slug, credentials=sent)


@when(
    phrase(
        "a browser lists the users of {tenant:Name} with the session cookies of {people:Names}"
        " packed without spaces"
    )
)
def lists_with_packed_cookies(
    world: World, api: ServiceApi, tenant: str, people: list[str]
) -> None:
    sent = cookies(*(token_in(world.credentials(person)) for person in people), separator=";")
    world.response = api.list_users(world.tenant(tenant).slug, credentials=sent)


@when(
    phrase(
        "a caller lists the users of {tenant:Name} with {person:Name}'s token"
        ' and the "{name:Text}" key together'
    )
)
def lists_with_token_and_key(
    world: World, api: ServiceApi, tenant: str, person: str, name: str
) -> None:
    sent = {**world.credentials(person), **world.credentials(f'the "{name}" key')}
    world.response = api.list_users(world.tenant(tenant).slug, credentials=sent)


@when(
    phrase(
        "a browser lists the users of {tenant:Name} with {owner:Name}'s session cookie"
        " and {holder:Name}'s bearer token"
    )
)
def lists_with_cookie_and_bearer(
    world: World, api: ServiceApi, tenant: str, owner: str, holder: str
) -> None:
    sent = {
        **cookie(token_in(world.credentials(owner))),
        **bearer(token_in(world.credentials(holder))),
    }
    world.response = api.list_users(world.tenant(tenant).slug, credentials=sent)


@when(
    phrase(
        "someone signs in to {tenant:Name} {count:d} times, each time with another made-up email"
    )
)
def signs_in_with_made_up_emails(world: World, api: ServiceApi, tenant: str, count: int) -> None:
    slug = world.tenant(tenant).slug
    world.answers = [
        api.login(slug, f"made-up.{n}@{slug}.example", WRONG_PASSWORD) for n in range(count)
    ]
    world.response = world.answers[-1]


@when(phrase("{caller:Caller} signs out"))
def signs_out(world: World, api: ServiceApi, caller: str) -> None:
    world.response = api.logout(world.credentials(caller))


# --- Then -------------------------------------------------------------------------------


@then(
    phrase(
        "the answer holds a token for {person:Name} of {tenant:Name}, valid for {minutes:d} minutes"
    )
)
def holds_token(
    world: World, service_settings: Settings, person: str, tenant: str, minutes: int
) -> None:
    body = world.last.json()
    assert body["token_type"] == "bearer"
    claims = jwt.decode(
        body["access_token"],
        service_settings.jwt_secret.get_secret_value(),
        algorithms=["HS256"],
    )
    assert claims["sub"] == str(world.person(person).id)
    assert claims["tenant"] == world.tenant(tenant).slug
    assert claims["exp"] - claims["iat"] == minutes * 60 == body["expires_in"]


@then("the browser receives the token as a cookie that scripts cannot read")
def token_cookie(world: World) -> None:
    morsel = _set_cookie(world.last)[COOKIE_NAME]
    assert morsel.value == world.last.json()["access_token"]
    assert morsel["httponly"] is True
    assert morsel["secure"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"


@then("the browser is told to forget the cookie")
def cookie_cleared(world: World) -> None:
    morsel = _set_cookie(world.last)[COOKIE_NAME]
    assert morsel.value in ("", '""'), morsel.value
    assert morsel["max-age"] == "0", morsel.OutputString()


@then("the answer holds no token")
def holds_no_token(world: World) -> None:
    assert "access_token" not in world.last.text
    assert "set-cookie" not in world.last.headers


@then("the answer says when to try again")
def says_when(world: World, service_settings: Settings) -> None:
    retry_after = int(world.last.headers["Retry-After"])
    assert 0 < retry_after <= service_settings.login_failure_window_s


@then("the answer says to try again when the minute is over")
def says_after_the_minute(world: World) -> None:
    # The minute started at the first sign-in, a few seconds ago at most on a busy machine.
    retry_after = int(world.last.headers["Retry-After"])
    assert 45 <= retry_after <= 60, world.last.headers


@then(phrase("the answer says to try again in {seconds:d} second{s:S}"))
def says_when_exactly(world: World, seconds: int, s: str) -> None:
    assert world.last.headers.get("Retry-After") == str(seconds), world.last.headers


@then("the answers read exactly like those to the wrong password, in the same order")
def same_answers_as_wrong_password(world: World) -> None:
    assert len(world.answers) == len(world.earlier_answers) > 0
    for number, (answer, earlier) in enumerate(
        zip(world.answers, world.earlier_answers, strict=True), start=1
    ):
        assert_alike(answer, earlier, f"sign-in number {number}")


@then("the service did the same database work for both")
def same_database_work(world: World) -> None:
    assert world.statements == world.earlier_statements, (
        f"{len(world.statements)} statements against {len(world.earlier_statements)}; first "
        f"difference: {first_difference(world.statements, world.earlier_statements)}"
    )


@then("each time, the two answers read exactly alike")
def pairs_alike(world: World) -> None:
    assert world.answers, "nothing was tried"
    for here, there, tried in zip(world.earlier_answers, world.answers, world.tried, strict=True):
        assert_alike(there, here, f"signing in with {tried}")


@then("no answer is a failure of the service")
def no_failure(world: World) -> None:
    assert world.answers, "nothing was tried"
    for here, there, tried in zip(world.earlier_answers, world.answers, world.tried, strict=True):
        statuses = (here.status_code, there.status_code)
        assert max(statuses) < 500, f"signing in with {tried} was answered {statuses}"


@then(phrase("{person:Name}'s password is stored at today's cost, and still lets her in"))
def password_at_todays_cost(
    world: World, db_session: Session, service_settings: Settings, person: str
) -> None:
    user = world.person(person)
    stored = password_hash_of(db_session, user.tenant_id, user.id)
    assert stored is not None
    cost = HashCost.from_settings(service_settings)
    today = f"m={cost.memory_kib},t={cost.time_cost},p={cost.parallelism}"
    assert stored.split("$")[3] == today, f"stored at {stored.split('$')[3]}, today is {today}"
    assert PasswordHasher().verify(stored, world.passwords[person])


@then(phrase("only the {count:d} new failed sign-ins are stored"))
def only_new_failures(db_session: Session, count: int) -> None:
    assert all_failed_sign_ins(db_session) == count


@then(phrase("{tenant:Name} has {count:d} failed sign-in{s:S} stored for {person:Name}"))
def failures_stored(
    world: World, db_session: Session, tenant: str, count: int, s: str, person: str
) -> None:
    user = world.person(person)
    assert failed_sign_ins(db_session, world.tenant(tenant).id, user.email) == count


@when(
    phrase(
        "an outsider sends {kind:MadeUp} {count:d} times to {tenant:Name}, and as often to the "
        'tenant "{slug:Text}"'
    )
)
def outsider_compares(
    world: World,
    api: ServiceApi,
    db_session: Session,
    app: FastAPI,
    service_settings: Settings,
    kind: str,
    count: int,
    tenant: str,
    slug: str,
) -> None:
    for target, answers, statements in (
        (world.tenant(tenant).slug, world.earlier_answers, world.earlier_statements),
        (slug, world.answers, world.statements),
    ):
        credentials = made_up_credentials(kind, service_settings, target)
        db_session.commit()  # both runs start outside a transaction: the same statements
        with statements_run(db_session.get_bind(), app.state.engine) as ran:
            answers.extend(api.list_users(target, credentials) for _ in range(count))
        statements.extend(ran)


@then("the answers to both read exactly alike, in the same order")
def both_read_alike(world: World) -> None:
    assert len(world.answers) == len(world.earlier_answers) > 0
    for number, (there, here) in enumerate(
        zip(world.answers, world.earlier_answers, strict=True), start=1
    ):
        assert_alike(there, here, f"request number {number}")
