"""The OpenAPI document tells the truth: a schemathesis fuzz of every operation, for every caller.

Teams generate clients and contract tests from the document, so whatever it promises must be
what the service does (issue 17). schemathesis sends generated requests, valid and invalid by
the document, and runs all its checks on every answer: no 5xx; status, content type, headers
and body as documented; valid requests accepted and invalid ones refused; a missing required
header refused; authentication not ignored; `Allow` as documented; and, in the stateful
phase, a created resource there and a deleted one gone. Derandomised: the same cases on
every run.

- **Three callers**: an admin API key of Acme, a member API key of Acme, and nobody. The
  admin runs the examples, coverage (boundary values of every parameter) and fuzzing
  phases; a member and nobody, refused by most operations before their input is read (403,
  401), run the examples and fuzzing phases. Each runs the stateful phase.
- **The tenant header**: a well-formed slug names Acme (the tenant the keys belong to); a
  missing or malformed one is sent as generated, so its 400 meets the document too.
- **Stateful phase**: sequences follow the links the document declares (a created user's id
  to reading, changing, inviting and removing that user; a created API key's id to revoking
  it; a counter's name to reading it). Each scenario starts from the same seeded rows.
- **Signing in**: the document's sign-in example names Alice of Acme; she is seeded with that
  password, so the examples phase signs in for real (asserted) and that answer is checked
  against the document as well.
- **Refusals of valid-looking data that are right**, and that the document states in words
  because a JSON schema cannot: the same Idempotency-Key with other details (422
  `idempotency_key_reused`), an e-mail address at a special-use domain such as `.test` (the
  email format's note) and a name holding a control, format or unassigned character (the
  name's description). The check that valid data is accepted lets exactly these through.

The app runs against the suite's real database with committed data (schemathesis calls it in
process, one real session per request), the e-mail provider mocked at the edge; every row is
removed after each test. About 1550 cases (plus schemathesis's own probes), ~25-40 s here.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from requests.structures import CaseInsensitiveDict
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    ignored_auth,
    positive_data_acceptance,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.auth import api_keys
from app.auth.credentials import API_KEY_HEADER, COOKIE_NAME
from app.context import SLUG_PATTERN
from app.http_methods import ROUTABLE_METHODS
from app.main import create_app
from app.outbound.email import get_email_provider
from app.settings import Settings
from app.tenancy import TENANT_HEADER
from harness import email_provider as provider_mock
from harness import provision
from harness.auth import api_key
from harness.factories import ApiKeyFactory, TenantFactory, UserFactory

MAX_EXAMPLES = 10  # fuzzing phase, per operation and caller
# Stateful phase: scenarios per caller (links fire only for a caller the producer serves:
# the admin makes users and keys, a member increments counters, nobody is refused at once).
STATEFUL_SCENARIOS = {"admin": 24, "member": 8, "nobody": 3}
STATEFUL_STEPS = 8  # at most, per scenario
TENANT = "acme"
CALLERS = ("admin", "member", "nobody")
CREDENTIAL_HEADERS = {"authorization", API_KEY_HEADER.lower(), "cookie"}
SIGN_IN = "POST /auth/login"
# schemathesis counts answers here: {caller: {phase: cases}}
GENERATED: dict[str, dict[str, int]] = {}
SIGNED_IN: dict[str, int] = {}
SIGN_IN_TRIED: set[str] = set()  # callers whose sign-in operation ran its examples

# The schema is read from an app that never touches a database; the cases are sent to
# the test's `fuzzed_app`. (schemathesis's fixture-based loader sets a private
# attribute of pytest's nodes that pytest 9 no longer has.)
DOCUMENT_APP = create_app(
    Settings(database_url="postgresql://unused@127.0.0.1:1/unused", jwt_secret="x" * 32)
)


def _load_schema(phases: dict[str, Any]) -> Any:
    config = SchemathesisConfig.from_dict({"phases": phases})
    return schemathesis.openapi.from_asgi("/openapi.json", DOCUMENT_APP, config=config)


# The admin reaches every operation's own checks, so its cases include the coverage phase
# (boundary values of every parameter, ~800 cases). A member or nobody is refused by most
# operations before their input is read (403, 401): examples and fuzzing show those answers.
schema = _load_schema({})
refused_schema = _load_schema({"coverage": {"enabled": False}})
_login_examples = schema.raw_schema["paths"]["/auth/login"]["post"]["requestBody"]["content"]
SIGN_IN_EXAMPLE: dict[str, str] = _login_examples["application/json"]["examples"]["alice"]["value"]


@dataclass(frozen=True)
class Acme:
    admin_key: str
    member_key: str


@pytest.fixture(scope="module", autouse=True)
def report_generated_cases() -> Iterator[None]:
    yield
    total = sum(sum(phases.values()) for phases in GENERATED.values())
    print(f"\nschemathesis sent {total} cases: {GENERATED}")
    for caller in SIGN_IN_TRIED:
        # The documented example must really sign in: else no answer of a sign-in was checked.
        assert SIGNED_IN.get(caller), f"the documented sign-in never signed in as {caller}"


def seed_acme() -> Acme:
    """Acme with Alice (the document's sign-in example), two more people, and two API keys."""
    tenant = TenantFactory(slug=TENANT, name="Acme", seat_limit=1000)
    UserFactory(
        tenant_id=tenant.id,
        name="Alice",
        email=SIGN_IN_EXAMPLE["email"],
        password=SIGN_IN_EXAMPLE["password"],
        role="admin",
    )
    UserFactory.create_batch(2, tenant_id=tenant.id)
    admin_key, member_key = api_keys.new_key(), api_keys.new_key()
    ApiKeyFactory(tenant_id=tenant.id, key=admin_key, role="admin")
    ApiKeyFactory(tenant_id=tenant.id, key=member_key, role="member")
    return Acme(admin_key=admin_key, member_key=member_key)


@pytest.fixture
def acme(db_session: Session) -> Acme:
    return seed_acme()


@pytest.fixture
def fuzzed_app(service_settings: Settings, db_session: Session) -> Iterator[FastAPI]:
    """The service on the suite's database (committed data: `db_session` empties it after)."""
    app = create_app(service_settings)
    outbound = provider_mock.provider_for(provider_mock.accepting_router())
    app.dependency_overrides[get_email_provider] = lambda: outbound
    yield app
    app.dependency_overrides.clear()
    outbound.close()
    # Closed here, before the rows are removed: schemathesis ends the app's lifespan only
    # when the process exits.
    app.state.engine.dispose()


def act_as(case: schemathesis.Case, caller: str, acme: Acme) -> None:
    """The caller's credentials on the case, and no others; a well-formed tenant names Acme.

    schemathesis fills the document's security schemes (bearer, cookie, API key) with
    generated values; those are replaced by what the caller really holds.
    """
    # Assigned, not changed in place: schemathesis then works out again which parts of the
    # case are still invalid by the document (a malformed tenant replaced, say).
    headers = CaseInsensitiveDict(
        {
            name: value
            for name, value in case.headers.items()
            if name.lower() not in CREDENTIAL_HEADERS
        }
    )
    if COOKIE_NAME in case.cookies:
        case.cookies = {name: v for name, v in case.cookies.items() if name != COOKIE_NAME}
    tenant = headers.get(TENANT_HEADER)
    if isinstance(tenant, str) and SLUG_PATTERN.fullmatch(tenant):
        headers[TENANT_HEADER] = TENANT
    if caller == "admin":
        headers.update(api_key(acme.admin_key))
    elif caller == "member":
        headers.update(api_key(acme.member_key))
    case.headers = headers


# Refusals of schema-valid requests that the document describes in words (a JSON schema
# cannot say them): by the error code, or by what every detail of a 422 says.
DOCUMENTED_REFUSAL_CODES = {"idempotency_key_reused"}  # POST /users, its Idempotency-Key
DOCUMENTED_REFUSAL_DETAILS = (
    "special-use or reserved name",  # the email format's note: .test, .invalid, ...
    "must not contain the character U+",  # a name's description: controls, format, ...
)


def _documented_refusal(response: Any) -> bool:
    if response.status_code != 422:
        return False
    error = response.json().get("error", {})
    if error.get("code") in DOCUMENTED_REFUSAL_CODES:
        return True
    details = error.get("details") or []
    return bool(details) and all(
        any(said in detail.get("message", "") for said in DOCUMENTED_REFUSAL_DETAILS)
        for detail in details
    )


def valid_data_is_accepted(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """schemathesis's `positive_data_acceptance`, minus the refusals the document describes."""
    if _documented_refusal(response):
        return None
    return positive_data_acceptance(ctx, response, case)


def _template(path: str) -> re.Pattern[str]:
    return re.compile("[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", path)))


DOCUMENTED_METHODS = [
    (_template(path), {method.upper() for method in item} & set(ROUTABLE_METHODS))
    for path, item in schema.raw_schema["paths"].items()
]


def allow_lists_the_documented_methods(
    ctx: Any, response: Any, case: schemathesis.Case
) -> bool | None:
    """schemathesis's `allow_header_conformance`, for URLs that fit two paths of the document.

    `/counters/increments` is also `/counters/{name}` (a counter named "increments"), and
    the service takes GET there as well: its `Allow` lists the methods of every path the
    URL fits (app/http_methods.py and its guard). So does this check, from the document.
    """
    if response.request.method != "OPTIONS":
        return None
    allow = response.headers.get("allow") or [""]
    advertised = {method.strip() for method in allow[0].split(",")} - {"HEAD", "OPTIONS", ""}
    path = urlsplit(response.request.url).path
    documented = set().union(*(m for template, m in DOCUMENTED_METHODS if template.fullmatch(path)))
    assert advertised == documented, f"Allow: {allow[0]} for {path}; the document: {documented}"
    return None


AUTH_ENFORCED: set[str] = set()


def auth_is_not_ignored(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """schemathesis's `ignored_auth`, confirmed once per operation, as its own runner does.

    After a success with credentials it sends the request again without them and with
    invalid ones (four more requests); once an operation refused both, that holds.
    """
    ctx.auth_enforced_operations = AUTH_ENFORCED
    return ignored_auth(ctx, response, case)


CHECKS: dict[str, Any] = {
    "excluded_checks": [positive_data_acceptance, allow_header_conformance, ignored_auth],
    "additional_checks": [
        valid_data_is_accepted,
        allow_lists_the_documented_methods,
        auth_is_not_ignored,
    ],
}


def _count(caller: str, case: schemathesis.Case) -> None:
    phase = case.meta.phase.name.value if case.meta is not None else "explicit"
    GENERATED.setdefault(caller, {})
    GENERATED[caller][phase] = GENERATED[caller].get(phase, 0) + 1


def _is_documented_sign_in(case: schemathesis.Case) -> bool:
    return (
        case.meta is not None
        and case.meta.phase.name == TestPhase.EXAMPLES
        and case.operation.label == SIGN_IN
        and case.body == SIGN_IN_EXAMPLE
        and case.headers.get(TENANT_HEADER) == TENANT
    )


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def send_and_check(case: schemathesis.Case, caller: str, app: FastAPI, acme: Acme) -> None:
    act_as(case, caller, acme)
    _count(caller, case)
    response = case.call_and_validate(app=app, **CHECKS)
    if case.operation.label == SIGN_IN:
        SIGN_IN_TRIED.add(caller)
    if _is_documented_sign_in(case):
        assert response.status_code == 200, f"the documented sign-in: {response.text}"
        SIGNED_IN[caller] = SIGNED_IN.get(caller, 0) + 1


@pytest.mark.committed_data
@pytest.mark.parametrize("caller", ["admin"])
@schema.parametrize()
@FUZZ_SETTINGS
def test_an_admin_gets_the_answers_the_document_promises(
    case: schemathesis.Case, caller: str, fuzzed_app: FastAPI, acme: Acme
) -> None:
    send_and_check(case, caller, fuzzed_app, acme)


@pytest.mark.committed_data
@pytest.mark.parametrize("caller", ["member", "nobody"])
@refused_schema.parametrize()
@FUZZ_SETTINGS
def test_a_member_and_nobody_get_the_answers_the_document_promises(
    case: schemathesis.Case, caller: str, fuzzed_app: FastAPI, acme: Acme
) -> None:
    send_and_check(case, caller, fuzzed_app, acme)


@pytest.mark.committed_data
@pytest.mark.parametrize("caller", CALLERS)
def test_linked_requests_get_the_answers_the_document_promises(
    caller: str, fuzzed_app: FastAPI, db_session: Session, admin_engine: Engine
) -> None:
    class AsCaller(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Every scenario starts from the same rows. Hypothesis requires that the same
            # choices draw the same way, and what a step draws depends on the answers
            # before it (a link's value, or a fresh one when its answer had none).
            provision.wipe(admin_engine)
            db_session.expunge_all()
            self.acme = seed_acme()

        def before_call(self, case: schemathesis.Case) -> None:
            act_as(case, caller, self.acme)
            _count(caller, case)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": fuzzed_app}

        def validate_response(
            self,
            response: Any,
            case: schemathesis.Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(
                response, **CHECKS, transport_kwargs=kwargs, recorder=self.recorder
            )

    AsCaller.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS[caller],
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
