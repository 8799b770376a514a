"""Who is calling: signing in, tokens, API keys, and what each role may do.

Givens say who is signed in, not how: tokens are minted with the service's own
token code (harness.auth), except where signing in itself is the behaviour.
"""

import base64
import json
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

import jwt
from pytest_bdd import given, parsers, then, when
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.auth.credentials import COOKIE_NAME
from app.settings import Settings
from harness.api import NO_CREDENTIALS, HttpResponse, ServiceApi
from harness.auth import SUITE_JWT_SECRET, api_key, bearer, cookie, token_for
from harness.factories import ApiKeyFactory, LoginAttemptFactory, UserFactory
from harness.stored import api_keys_of, failed_sign_ins, tenant_state
from harness.world import World
from steps.users import person_of_tenant

NEW_USER = {"name": "Carol", "email": "carol@example.com"}


def _email(person: str, tenant: str) -> str:
    return f"{person.lower()}@{tenant.lower()}.example"


def _snapshot(world: World, db_session: Session, tenant: str) -> None:
    world.snapshots[tenant] = tenant_state(db_session, world.tenant(tenant).id)


def _sign_in(world: World, settings: Settings, person: str) -> None:
    user = world.person(person)
    slug = next(t.slug for t in world.tenants.values() if t.id == user.tenant_id)
    world.signed_in[person] = bearer(token_for(settings, user, slug))


def _set_cookie(answer: HttpResponse) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    jar.load(answer.headers.get("set-cookie", ""))
    return jar


# --- Given: people, passwords, tokens ---------------------------------------------------


@given(
    parsers.re(
        r"(?P<person>\w+), an? (?P<role>admin|member) of (?P<tenant>\w+), has the "
        r'password "(?P<password>[^"]+)"'
    )
)
def person_with_password(world: World, person: str, role: str, tenant: str, password: str) -> None:
    world.people[person] = UserFactory(
        tenant_id=world.tenant(tenant).id,
        name=person,
        email=_email(person, tenant),
        role=role,
        password=password,
    )
    world.snapshots[f"password:{person}"] = password


@given(parsers.re(r"(?P<person>\w+), an? (?P<role>admin|member) of (?P<tenant>\w+), is signed in"))
def person_signed_in(
    world: World, service_settings: Settings, person: str, role: str, tenant: str
) -> None:
    person_of_tenant(world, person, role, tenant)
    _sign_in(world, service_settings, person)


@given(parsers.re(r"(?P<person>\w+) is signed in to (?P<tenant>\w+) as an? (?P<role>admin|member)"))
def signed_in_as(
    world: World, service_settings: Settings, person: str, tenant: str, role: str
) -> None:
    person_signed_in(world, service_settings, person, role, tenant)


@given(parsers.parse("{person} has signed in to {tenant} with her password"))
def signed_in_with_password(world: World, api: ServiceApi, person: str, tenant: str) -> None:
    password = world.snapshots[f"password:{person}"]
    answer = api.login(world.tenant(tenant).slug, _email(person, tenant), password)
    assert answer.status_code == 200, answer.text
    world.signed_in[person] = bearer(answer.json()["access_token"])
    world.signed_in[f"{person}'s browser"] = cookie(_set_cookie(answer)[COOKIE_NAME].value)


@given(parsers.re(r"(?P<person>\w+) holds (?P<credential>a (garbled )?token.*)"))
def holds_bad_token(world: World, service_settings: Settings, person: str, credential: str) -> None:
    user = world.person(person)
    slug = next(t.slug for t in world.tenants.values() if t.id == user.tenant_id)
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "tenant": slug,
        "role": user.role,
        "iat": now,
        "exp": now + timedelta(minutes=15),
    }
    good = token_for(service_settings, user, slug)
    if credential == "a token that has expired":
        claims |= {"iat": now - timedelta(hours=1), "exp": now - timedelta(minutes=1)}
        token = jwt.encode(claims, SUITE_JWT_SECRET, algorithm="HS256")
    elif credential == "a token signed with another key":
        token = jwt.encode(claims, "another-key-that-is-also-32-chars-long!", algorithm="HS256")
    elif credential == "a token that claims to need no signature":
        token = jwt.encode(claims, None, algorithm="none")
    elif credential == "a token whose claims were edited":
        header, _, signature = good.split(".")
        edited = claims | {"sub": str(user.id + 1), "role": "admin"}
        payload = base64.urlsafe_b64encode(json.dumps(edited, default=str).encode()).rstrip(b"=")
        token = f"{header}.{payload.decode()}.{signature}"
    elif credential == "a token without an expiry":
        claims.pop("exp")
        token = jwt.encode(claims, SUITE_JWT_SECRET, algorithm="HS256")
    elif credential == "a garbled token":
        token = good[::-1]
    else:
        raise AssertionError(f"unknown kind of credential: {credential!r}")
    world.signed_in[person] = bearer(token)


@given(parsers.parse("{person}'s account has had {count:d} failed sign-ins"))
def failed_before(world: World, person: str, count: int) -> None:
    user = world.person(person)
    LoginAttemptFactory.create_batch(count, tenant_id=user.tenant_id, email=user.email)


@given(parsers.parse("someone has tried {person}'s email with a wrong password"))
def tried_wrong_password(world: World, api: ServiceApi, person: str) -> None:
    user = world.person(person)
    slug = next(t.slug for t in world.tenants.values() if t.id == user.tenant_id)
    world.snapshots["wrong password answer"] = api.login(slug, user.email, "not-her-password")


# --- Given: API keys --------------------------------------------------------------------


@given(parsers.re(r'(?P<tenant>\w+) has the (?P<role>admin|member) API key "(?P<name>[^"]+)"'))
def tenant_has_key(world: World, tenant: str, role: str, name: str) -> None:
    key = api_keys.new_key()
    row = ApiKeyFactory(tenant_id=world.tenant(tenant).id, name=name, role=role, key=key)
    world.snapshots[f"key:{name}"] = row
    world.signed_in[f'the "{name}" key'] = api_key(key)


@given(parsers.parse('{tenant} has revoked the API key "{name}"'))
def key_revoked(world: World, db_session: Session, name: str, tenant: str) -> None:
    row = world.snapshots[f"key:{name}"]
    row.revoked_at = datetime.now(UTC)
    db_session.commit()


# --- When -------------------------------------------------------------------------------


@when(parsers.re(r'(?P<person>\w+) signs in to (?P<tenant>\w+) with the password "(?P<pw>[^"]*)"'))
def signs_in(
    world: World, api: ServiceApi, db_session: Session, person: str, tenant: str, pw: str
) -> None:
    _snapshot(world, db_session, tenant)
    world.response = api.login(world.tenant(tenant).slug, _email(person, tenant), pw)


@when(
    parsers.re(
        r'someone signs in to the tenant "(?P<slug>[^"]*)" as "(?P<email>[^"]*)" with '
        r"(?P<person>\w+)'s password"
    )
)
def someone_signs_in(
    world: World, api: ServiceApi, db_session: Session, slug: str, email: str, person: str
) -> None:
    for name in world.tenants:
        _snapshot(world, db_session, name)
    world.response = api.login(slug, email, world.snapshots[f"password:{person}"])


@when(parsers.parse("{caller} signs out"))
def signs_out(world: World, api: ServiceApi, caller: str) -> None:
    world.response = api.logout(world.credentials(caller))


@when(parsers.re(r"(?P<caller>.+?) lists the users of (?P<tenant>\w+)$"))
def caller_lists_users(world: World, api: ServiceApi, caller: str, tenant: str) -> None:
    world.response = api.list_users(
        world.tenant(tenant).slug, credentials=world.credentials(caller)
    )


@when(parsers.re(r"(?P<caller>.+?) adds Carol to (?P<tenant>\w+)$"))
def caller_adds_carol(
    world: World, api: ServiceApi, db_session: Session, caller: str, tenant: str
) -> None:
    _snapshot(world, db_session, tenant)
    credentials = NO_CREDENTIALS if caller == "someone without credentials" else None
    credentials = credentials if credentials is not None else world.credentials(caller)
    world.response = api.create_user(world.tenant(tenant).slug, NEW_USER, credentials=credentials)


@when(
    parsers.re(
        r'(?P<person>\w+) creates the (?P<role>admin|member) API key "(?P<name>[^"]+)" '
        r"for (?P<tenant>\w+)"
    )
)
def creates_key(
    world: World,
    api: ServiceApi,
    db_session: Session,
    person: str,
    role: str,
    name: str,
    tenant: str,
) -> None:
    _snapshot(world, db_session, tenant)
    world.response = api.create_api_key(
        world.tenant(tenant).slug, {"name": name, "role": role}, world.credentials(person)
    )


@when(parsers.parse("{person} lists the API keys of {tenant}"))
def lists_keys(world: World, api: ServiceApi, person: str, tenant: str) -> None:
    world.response = api.list_api_keys(world.tenant(tenant).slug, world.credentials(person))


@when(parsers.parse('{person} revokes the API key "{name}" of {tenant}'))
def revokes_key(
    world: World, api: ServiceApi, db_session: Session, person: str, name: str, tenant: str
) -> None:
    _snapshot(world, db_session, tenant)
    row = world.snapshots[f"key:{name}"]
    world.response = api.revoke_api_key(
        world.tenant(tenant).slug, row.id, world.credentials(person)
    )


# What each action of the authorization table does, in calls of the service.
ACTIONS = {
    "list the users": lambda api, slug, w, c: api.list_users(slug, credentials=c),
    "read Bob's details": lambda api, slug, w, c: api.read_user(slug, w.person("Bob").id, c),
    "add a user": lambda api, slug, w, c: api.create_user(slug, NEW_USER, c),
    "rename Bob": lambda api, slug, w, c: api.update_user(
        slug, w.person("Bob").id, {"name": "Robert"}, c
    ),
    "make Bob an admin": lambda api, slug, w, c: api.update_user(
        slug, w.person("Bob").id, {"role": "admin"}, c
    ),
    "make herself an admin": lambda api, slug, w, c: api.update_user(
        slug, w.person("Alice").id, {"role": "admin"}, c
    ),
    "remove Bob": lambda api, slug, w, c: api.delete_user(slug, w.person("Bob").id, c),
    "invite Bob": lambda api, slug, w, c: api.invite_user(slug, w.person("Bob").id, c),
    "increment the counter": lambda api, slug, w, c: api.increment_counter(slug, "visits", c),
    "read the counter": lambda api, slug, w, c: api.read_counter(slug, "visits", c),
    "list the API keys": lambda api, slug, w, c: api.list_api_keys(slug, c),
    "create an API key": lambda api, slug, w, c: api.create_api_key(slug, {"name": "new"}, c),
    "revoke the API key": lambda api, slug, w, c: api.revoke_api_key(
        slug, w.snapshots["key:ci"].id, c
    ),
}


@when(parsers.re(r"(?P<person>\w+) tries to (?P<action>.+) in (?P<tenant>\w+)$"))
def tries_action(
    world: World, api: ServiceApi, db_session: Session, person: str, action: str, tenant: str
) -> None:
    _snapshot(world, db_session, tenant)
    call = ACTIONS[action]
    world.response = call(api, world.tenant(tenant).slug, world, world.credentials(person))


# --- Then -------------------------------------------------------------------------------


@then(
    parsers.parse(
        "the answer holds a token for {person} of {tenant}, valid for {minutes:d} minutes"
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


@then("the answer asks for credentials")
def asks_for_credentials(world: World) -> None:
    assert world.last.headers["WWW-Authenticate"].startswith("Bearer")


@then("the answer says when to try again")
def says_when(world: World, service_settings: Settings) -> None:
    retry_after = int(world.last.headers["Retry-After"])
    assert 0 < retry_after <= service_settings.login_failure_window_s


@then("the answer reads exactly like the answer to the wrong password")
def same_as_wrong_password(world: World) -> None:
    earlier = world.snapshots["wrong password answer"]
    now = world.last

    def comparable(answer: HttpResponse) -> tuple[int, str, str, str | None]:
        error = answer.json()["error"]
        return (
            answer.status_code,
            error["code"],
            error["message"],
            answer.headers.get("WWW-Authenticate"),
        )

    assert comparable(now) == comparable(earlier)


@then(parsers.parse("{tenant} has {count:d} failed sign-ins stored for {person}"))
@then(parsers.parse("{tenant} has {count:d} failed sign-in stored for {person}"))
def failures_stored(
    world: World, db_session: Session, tenant: str, count: int, person: str
) -> None:
    user = world.person(person)
    assert failed_sign_ins(db_session, world.tenant(tenant).id, user.email) == count


@then("the answer shows the key's secret once")
def shows_secret(world: World) -> None:
    body = world.last.json()
    assert api_keys.prefix_of(body["key"]) == body["prefix"]
    world.snapshots["new key"] = body


@then(parsers.parse('{tenant} has the API key "{name}" stored, without its secret'))
def key_stored(world: World, db_session: Session, tenant: str, name: str) -> None:
    secret = world.snapshots["new key"]["key"]
    rows = [k for k in api_keys_of(db_session, world.tenant(tenant).id) if k["name"] == name]
    assert len(rows) == 1, rows
    assert secret not in json.dumps(rows, default=str)
    assert rows[0]["secret_hash"] == api_keys.digest(secret)


@then(parsers.parse('the list shows the key "{name}" with its prefix and no secret'))
def list_shows_key(world: World, name: str) -> None:
    items = world.last.json()["items"]
    row = world.snapshots[f"key:{name}"]
    listed = [item for item in items if item["name"] == name]
    assert [item["prefix"] for item in listed] == [row.prefix]
    assert "key" not in listed[0] and "secret_hash" not in listed[0]
    assert row.secret_hash not in world.last.text


@then(parsers.parse('the API key "{name}" is stored as revoked'))
def key_revoked_stored(world: World, db_session: Session, name: str) -> None:
    row = world.snapshots[f"key:{name}"]
    stored = [k for k in api_keys_of(db_session, row.tenant_id) if k["id"] == row.id]
    assert stored and stored[0]["revoked_at"] is not None, stored
