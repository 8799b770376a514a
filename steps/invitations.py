"""Inviting a person by e-mail, through the e-mail provider at the service's edge."""

import respx
from pytest_bdd import given, then, when
from sqlalchemy.orm import Session

from harness.answers import assert_error, statuses
from harness.api import HttpResponse, ServiceApi
from harness.email_provider import ProviderGate, hold_messages, invitations, recipients
from harness.parallel import Call, run_while_held
from harness.phrases import phrase
from harness.races import rivals_answered
from harness.stored import user_row
from harness.world import AppTweaks, World, reads_stored_before


@given(
    phrase(
        "the service has {threads:d} worker threads, and lets at most {sends:d} invitations "
        "wait on the e-mail provider"
    )
)
def invitation_capacity(app_tweaks: AppTweaks, threads: int, sends: int) -> None:
    app_tweaks.set(worker_threads=threads, email_max_concurrent_sends=sends)


@given("a slow e-mail provider that holds every message until the scenario lets it answer")
def slow_provider(email_provider: respx.Router, provider_gate: ProviderGate) -> None:
    hold_messages(email_provider, provider_gate)


@when(phrase("{tenant:Name} invites {person:Name}"))
def invite(world: World, api: ServiceApi, tenant: str, person: str) -> None:
    world.response = api.invite_user(world.tenant(tenant).slug, world.person(person).id)


@when(
    phrase(
        "{tenant:Name} invites {person:Name} {count:d} times at once, and operations ask "
        "about the service while the provider holds them"
    )
)
def invite_while_held(
    world: World,
    live_server_url: str,
    provider_gate: ProviderGate,
    tenant: str,
    person: str,
    count: int,
) -> None:
    slug, user_id = world.tenant(tenant).slug, world.person(person).id
    call: Call = lambda api: api.invite_user(slug, user_id)  # noqa: E731

    def ask_operations(api: ServiceApi) -> dict[str, HttpResponse]:
        return {"alive": api.liveness(), "ready": api.readiness()}

    world.held_run = run_while_held(live_server_url, provider_gate, [call] * count, ask_operations)


@then(
    phrase(
        '{count:d} invitations were refused at once with {status:d} and the error "{code:Text}", '
        "while the others still waited"
    )
)
def refused_while_held(world: World, count: int, status: int, code: str) -> None:
    run = world.held
    refused = [a for a, held in zip(run.answers, run.answered_while_held, strict=True) if held]
    assert len(refused) == count, (
        f"refused while held: {statuses(refused)}, all: {statuses(run.answers)}"
    )
    for answer in refused:
        assert_error(answer, status, code)
        assert int(answer.headers["Retry-After"]) >= 1, answer.headers


@then(phrase("the {count:d} that waited were accepted once the provider answered"))
def accepted_after_wait(world: World, count: int) -> None:
    run = world.held
    later = [a for a, held in zip(run.answers, run.answered_while_held, strict=True) if not held]
    assert statuses(later) == {202: count}, f"after the wait: {statuses(later)}"


@then(phrase("{person:Name} is stored in {tenant:Name} as invited"))
def stored_invited(world: World, db_session: Session, person: str, tenant: str) -> None:
    row = user_row(db_session, world.tenant(tenant).id, world.person(person).id)
    assert row is not None and row["invited_at"] is not None, row


@then(phrase("the e-mail provider was asked to invite {person:Name} to {tenant:Name}"))
def provider_asked(world: World, email_provider: respx.Router, person: str, tenant: str) -> None:
    user = world.person(person)
    # The team is how the invitation names the tenant: its slug, the one people sign in to.
    expected = (user.email, user.name, world.tenant(tenant).slug)
    assert invitations(email_provider) == [expected]


@then(phrase("{person:Name} is stored in {tenant:Name} as not invited"))
def stored_not_invited(world: World, db_session: Session, person: str, tenant: str) -> None:
    row = user_row(db_session, world.tenant(tenant).id, world.person(person).id)
    assert row is not None and row["invited_at"] is None, row


@then(
    phrase(
        "an invitation e-mail went out for every invitation answered {status:d}, and for no other"
    )
)
@reads_stored_before
def emails_match_answers(world: World, email_provider: respx.Router, status: int) -> None:
    emails = {
        row["id"]: row["email"]
        for state in world.stored_before.tenants.values()
        for row in state.users
    }
    answered = sorted(
        emails[user_id] for user_id in rivals_answered(world.answers, world.aims, status)
    )
    sent = sorted(recipients(email_provider))
    assert sent == answered, (
        f"{len(sent)} e-mails went out, {len(answered)} invitations were answered {status}; "
        f"sent to people told otherwise: {sorted(set(sent) - set(answered))}"
    )
