"""The suite's own searches find the outside review's bugs again when a fix is taken out.

Each case puts one fix of the review back to how the service was before it (in a copy of
the project, never in app/) and runs the search that must find it: the generated batches
at the same moment, the equivalence checks an outsider could make, the floods while
another tenant works. The search must fail, naming the rule.
"""

import pytest

from tests.mutation.mutants import Mutation, run_on_mutant

# The deadlock under idempotency keys (F1): seats counted under FOR UPDATE on the tenant row
# again (which needs the UPDATE right on tenants back, so the revoking migration is undone).
TENANT_ROW_LOCK = (
    Mutation(
        "app/repositories/users.py",
        "    lock_tenant_resource(session, SEATS_LOCK, tenant_id)\n",
        "    session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())\n",
    ),
    Mutation(
        "migrations/versions/0007_service_role_reads_tenants_only.py",
        '    op.execute(f"REVOKE UPDATE (seat_limit) ON tenants FROM {role}")\n',
        "",
    ),
    Mutation(
        "migrations/versions/0007_service_role_reads_tenants_only.py",
        '    op.execute(f"REVOKE INSERT, UPDATE ON tenants FROM {role}")\n',
        '    op.execute(f"REVOKE INSERT ON tenants FROM {role}")\n',
    ),
)
# The change racing a removal (F2): the row read without its lock, as before.
NO_ROW_LOCK = Mutation("app/repositories/users.py", "    if lock:\n", "    if False:\n")
# The tenant-existence oracle (F4): an unknown tenant's sign-in refused before any counting,
# so it never reaches the throttle a real tenant's does.
SIGN_IN_ORACLE = Mutation(
    "app/routes/auth.py",
    """    tenant = find_tenant(session, slug)
    if tenant is not None:
        enter_tenant(session, tenant)
    else:
        apply_tenant(session, NO_TENANT_ID)
""",
    """    tenant = find_tenant(session, slug)
    if tenant is None:
        session.commit()
        return Attempt(account, NO_TENANT_ID, slug, None, None, None)
    enter_tenant(session, tenant)
""",
)
# The same oracle for API keys: an unknown tenant's key refused without the key lookup.
API_KEY_ORACLE = Mutation(
    "app/tenancy.py",
    "        tenant = TenantRef(id=NO_TENANT_ID, slug=slug)\n",
    "        raise InvalidCredentials()\n",
)
# Pool starvation by a long job (the bulkhead's fix): every tenant may hold every connection.
NO_BULKHEAD = Mutation(
    "app/bulkhead.py",
    "slots = max(1, int(connections * settings.db_tenant_share))",
    "slots = 10**6",
)


@pytest.mark.parametrize(
    ("mutation", "search", "caught_by"),
    [
        (TENANT_ROW_LOCK, "batches", "test_madeup_batches_of_requests_at_the_same_moment"),
        (NO_ROW_LOCK, "batches", "test_madeup_batches_of_requests_at_the_same_moment"),
        (
            SIGN_IN_ORACLE,
            "again_and_again",
            "test_signing_in_again_and_again_with_what_gets_the_same_answers_as_a_wrong_password",
        ),
        (API_KEY_ORACLE, "reads_the_same", "test_credential_reads_the_same"),
        (
            NO_BULKHEAD,
            "long_batch_job",
            "test_globex_keeps_working_while_acmes_requests_queue_behind_a_long_batch_job",
        ),
    ],
    ids=[
        "deadlock-under-keys",
        "change-racing-removal",
        "sign-in-oracle",
        "api-key-oracle",
        "starved-by-a-long-job",
    ],
)
def test_a_review_bug_put_back_is_found_by_the_suites_search(
    mutation: Mutation | tuple[Mutation, ...], search: str, caught_by: str
) -> None:
    mutations = list(mutation) if isinstance(mutation, tuple) else [mutation]
    run = run_on_mutant(mutations, ["steps", "-k", search])
    assert run.returncode == 1, run.output
    assert run.failed(caught_by), run.output


# Bugs in what the generated sequences do besides the review's: one per action they gained
# (repeats under a key, sign-out, sign-in with a cookie, invitations). Each copy must make
# the stage's own search (its fixed budget) fail, naming the rule; unshrunk, to stay quick.
REPEAT_DONE_AGAIN = Mutation(
    "app/routes/users.py",
    "        if stored is not None:\n            return stored\n",
    "        if stored is not None and False:\n            return stored\n",
)
SIGN_OUT_KEEPS_COOKIE = Mutation(
    "app/routes/auth.py",
    '    response.delete_cookie(COOKIE_NAME, path="/", ',
    '    response.delete_cookie(COOKIE_NAME, path="/auth", ',
)
SIGN_IN_COOKIE_FOR_AUTH_ONLY = Mutation(
    "app/routes/auth.py",
    '        path="/",  # required by the __Host- prefix, and no Domain\n',
    '        path="/auth",\n',
)
INVITATION_SENT_TWICE = Mutation(
    "app/routes/users.py",
    "    message_id = email.send_invitation(to=to, name=name, tenant=scope.tenant.slug)\n",
    "    email.send_invitation(to=to, name=name, tenant=scope.tenant.slug)\n" * 2
    + "    message_id = email.send_invitation(to=to, name=name, tenant=scope.tenant.slug)\n",
)


@pytest.mark.parametrize(
    ("mutation", "rule"),
    [
        (REPEAT_DONE_AGAIN, "the answer is the one the rules give"),
        (SIGN_OUT_KEEPS_COOKIE, "a browser that signed out holds no session cookie"),
        (SIGN_IN_COOKIE_FOR_AUTH_ONLY, "signing in with a cookie leaves the session cookie"),
        (INVITATION_SENT_TWICE, "an invitation e-mail goes out for each invitation answered"),
    ],
    ids=["repeat-done-again", "sign-out-keeps-cookie", "sign-in-cookie-elsewhere", "sent-twice"],
)
def test_a_bug_in_a_generated_action_is_found_by_the_sequences(
    mutation: Mutation, rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXPLORE_SHRINK", "0")
    run = run_on_mutant([mutation], ["steps", "-m", "invariants", "-k", "sequences"])
    assert run.returncode == 1, run.output
    assert run.failed("test_madeup_sequences_of_requests"), run.output
    assert f"Rule broken: {rule}" in run.output, run.output
