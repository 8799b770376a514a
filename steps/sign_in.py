"""Signing in and out: passwords, tokens, the browser's cookie, and the sign-in throttle.

Givens say who is signed in, not how: tokens are minted with the service's own token
code, except where signing in itself is the behaviour.
"""

from http.cookies import SimpleCookie

import jwt
from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from app.auth.credentials import COOKIE_NAME
from app.auth.throttle import account_key
from app.settings import Settings
from harness.api import HttpResponse, ServiceApi
from harness.auth import bearer, cookie, forged_token
from harness.factories import LoginFailureFactory
from harness.people import add_person, email_of, sign_in
from harness.phrases import phrase
from harness.stored import failed_sign_ins
from harness.world import World


def _set_cookie(answer: HttpResponse) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    jar.load(answer.headers.get("set-cookie", ""))
    return jar


# --- Given ------------------------------------------------------------------------------


@given(phrase("{person:Name}, {role:ARole} of {tenant:Name}, is signed in"))
def person_signed_in(
    world: World, service_settings: Settings, person: str, role: str, tenant: str
) -> None:
    add_person(world, person, role, tenant)
    sign_in(world, service_settings, person)


@given(phrase("{person:Name} is signed in to {tenant:Name} as {role:ARole}"))
def signed_in_as(
    world: World, service_settings: Settings, person: str, tenant: str, role: str
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


@given(phrase("someone has tried {person:Name}'s email with a wrong password"))
def tried_wrong_password(world: World, api: ServiceApi, person: str) -> None:
    user = world.person(person)
    world.earlier = api.login(world.tenant_of(person).slug, user.email, "not-her-password")


# --- When -------------------------------------------------------------------------------


@when(phrase('{person:Name} signs in to {tenant:Name} with the password "{password:Text}"'))
def signs_in(world: World, api: ServiceApi, person: str, tenant: str, password: str) -> None:
    world.response = api.login(world.tenant(tenant).slug, email_of(person, tenant), password)


@when(
    phrase(
        'someone signs in to the tenant "{slug:Text}" as "{email:Text}" with '
        "{person:Name}'s password"
    )
)
def someone_signs_in(world: World, api: ServiceApi, slug: str, email: str, person: str) -> None:
    world.response = api.login(slug, email, world.passwords[person])


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


@then("the answer reads exactly like the answer to the wrong password")
def same_as_wrong_password(world: World) -> None:
    assert world.earlier is not None, "no wrong password was tried first"

    def comparable(answer: HttpResponse) -> tuple[int, str, str, str | None]:
        error = answer.json()["error"]
        return (
            answer.status_code,
            error["code"],
            error["message"],
            answer.headers.get("WWW-Authenticate"),
        )

    assert comparable(world.last) == comparable(world.earlier)


@then(phrase("{tenant:Name} has {count:d} failed sign-in{s:S} stored for {person:Name}"))
def failures_stored(
    world: World, db_session: Session, tenant: str, count: int, s: str, person: str
) -> None:
    user = world.person(person)
    assert failed_sign_ins(db_session, world.tenant(tenant).id, user.email) == count
