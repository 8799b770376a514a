"""The isolation scenarios fail when the service is wrong, layer by layer.

Each case breaks one layer in a copy of the project and runs the isolation
features there: the application's tenant filter (with the database layer off),
and the database's row-level security.
"""

import pytest

from tests.mutation.mutants import Mutation, run_on_mutant

USERS_REPO = "app/repositories/users.py"
COUNTERS_REPO = "app/repositories/counters.py"

NO_FILTER_ON_ONE_USER = Mutation(
    USERS_REPO,
    "select(User).where(User.tenant_id == tenant_id, User.id == user_id)",
    "select(User).where(User.id == user_id)",
)
NO_FILTER_ON_USER_LIST = Mutation(
    USERS_REPO, "where = User.tenant_id == tenant_id", "where = User.tenant_id.is_not(None)"
)
NO_FILTER_ON_COUNTER = Mutation(
    COUNTERS_REPO,
    "select(Counter).where(Counter.tenant_id == tenant_id, Counter.name == name)",
    "select(Counter).where(Counter.name == name)",
)
NO_ROW_LEVEL_SECURITY = Mutation(
    "migrations/roles.py",
    'f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",',
    'f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",',
)


@pytest.mark.parametrize(
    ("mutation", "caught_by"),
    [
        (NO_FILTER_ON_ONE_USER, "test_globex_cannot_action_a_user_of_acme"),
        (NO_FILTER_ON_USER_LIST, "test_each_tenant_lists_only_its_own_users"),
        (NO_FILTER_ON_COUNTER, "test_globex_gets_nothing_of_acmes_through_method_path[GET-"),
    ],
    ids=["one-user", "user-list", "counter"],
)
def test_a_missing_tenant_filter_fails_the_isolation_features_without_rls(
    mutation: Mutation, caught_by: str
) -> None:
    run = run_on_mutant([mutation], ["steps", "-m", "tenant_isolation", "--without-rls"])
    assert run.returncode == 1, run.output
    assert run.failed(caught_by), run.output


def test_row_level_security_alone_still_keeps_tenants_apart_without_the_filter() -> None:
    run = run_on_mutant(
        [NO_FILTER_ON_ONE_USER, NO_FILTER_ON_USER_LIST], ["steps", "-m", "tenant_isolation"]
    )
    assert run.returncode == 0, run.output


def test_switching_row_level_security_off_fails_the_database_layer_features() -> None:
    run = run_on_mutant([NO_ROW_LEVEL_SECURITY], ["steps", "-m", "database_layer"])
    assert run.returncode == 1, run.output
    assert run.failed("test_reading_all_records_without_a_tenant_filter"), run.output
    assert run.failed("test_the_database_refuses_to_file_a_row_under_another_tenant"), run.output


AUTH_FEATURES = ["steps", "-m", "authentication or authorization"]
NO_ROLE_CHECK = Mutation(
    "app/auth/roles.py", "if scope.principal.role not in allowed:", "if False:"
)
NO_TENANT_MATCH = Mutation(
    "app/tenancy.py", "if claims is not None and claims.tenant != slug:", "if False:"
)
REVOKED_KEYS_STILL_WORK = Mutation(
    "app/auth/api_keys.py",
    "ApiKey.tenant_id == tenant_id, ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)",
    "ApiKey.tenant_id == tenant_id, ApiKey.prefix == prefix",
)
NO_THROTTLE = Mutation(
    "app/auth/throttle.py", "if failures >= settings.login_max_failures:", "if False:"
)


@pytest.mark.parametrize(
    ("mutation", "caught_by"),
    [
        (NO_ROLE_CHECK, "test_as_role_alice_may_not_action"),
        (NO_TENANT_MATCH, "test_a_token_of_another_tenant_opens_nothing_in_acme"),
        (REVOKED_KEYS_STILL_WORK, "test_a_revoked_api_key_is_refused"),
        (NO_THROTTLE, "test_after_five_failed_signins_even_the_right_password_must_wait"),
    ],
    ids=["role-check", "tenant-match", "revocation", "throttle"],
)
def test_a_missing_authentication_rule_fails_its_scenario(
    mutation: Mutation, caught_by: str
) -> None:
    run = run_on_mutant([mutation], AUTH_FEATURES)
    assert run.returncode == 1, run.output
    assert run.failed(caught_by), run.output
