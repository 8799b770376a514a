"""The schema guard fails on a migration that weakens row-level security.

Mutation tools mutate Python, never the SQL in the migrations' strings, so the guard in
tests/guards/test_database_guard.py reads the live schema instead. Each case puts one
weakened migration into a copy of the project and runs the guard there: it must fail
and name the table.
"""

import pytest

from tests.mutation.mutants import Mutation, run_on_mutant

ROLES = "migrations/roles.py"
IDEMPOTENCY_MIGRATION = "migrations/versions/0004_idempotency.py"
GUARD = "test_every_table_with_a_tenant_id_has_forced_rls_keyed_on_the_tenant"

# One table's policy removed: RLS still ENABLEd and FORCEd, but no policy at all.
NO_POLICY_ON_ONE_TABLE = Mutation(
    IDEMPOTENCY_MIGRATION,
    'for statement in tenant_policy_sql("idempotency_keys"):',
    'for statement in tenant_policy_sql("idempotency_keys")[:2]:',
)
# One table not FORCEd: its owner (the migrations' role) would read every tenant's rows.
NOT_FORCED_ON_ONE_TABLE = Mutation(
    IDEMPOTENCY_MIGRATION,
    'for statement in tenant_policy_sql("idempotency_keys"):',
    'for statement in tenant_policy_sql("idempotency_keys")[::2]:',
)
# The policy reads by tenant but writes unchecked: a row can be filed under another tenant.
NO_WITH_CHECK = Mutation(
    ROLES,
    'f"USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})",',
    'f"USING (tenant_id = {tenant})",',
)
# A second permissive policy: policies are OR-ed, so this one opens every row for reading.
AN_OPEN_POLICY_BESIDE = Mutation(
    ROLES,
    'f"USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})",',
    'f"USING (tenant_id = {tenant}) WITH CHECK (tenant_id = {tenant})",\n'
    '        f"CREATE POLICY open_reads ON {table} FOR SELECT USING (true)",',
)


@pytest.mark.parametrize(
    ("mutation", "named"),
    [
        (NO_POLICY_ON_ONE_TABLE, "'idempotency_keys': ['no policy for all commands"),
        (NOT_FORCED_ON_ONE_TABLE, "'idempotency_keys': ['row-level security is not FORCEd"),
        (NO_WITH_CHECK, "'users': ['no policy for all commands"),
        (AN_OPEN_POLICY_BESIDE, "'users': ['policy open_reads lets rows through"),
    ],
    ids=["no-policy", "not-forced", "no-with-check", "open-policy"],
)
def test_the_schema_guard_fails_on_weakened_row_level_security(
    mutation: Mutation, named: str
) -> None:
    run = run_on_mutant([mutation], ["tests/guards/test_database_guard.py", "-k", GUARD])
    assert run.returncode == 1, run.output
    assert run.failed(GUARD), run.output
    assert named in run.output, run.output
