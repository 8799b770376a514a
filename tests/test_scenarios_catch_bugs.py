"""The isolation scenarios fail when the service is wrong, layer by layer.

Each case breaks one layer in a copy of the project and runs the isolation
features there: the application's tenant filter (with the database layer off),
and the database's row-level security.
"""

import pytest

from harness.mutants import Mutation, run_on_mutant

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
