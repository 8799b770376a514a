"""Schema per tenant, layer by layer: each case breaks one thing in a copy of the project
and runs the features there with TEST_TENANCY=schemas.

- Without the application's tenant filters, schema privileges alone keep tenants apart
  (the schemas-mode counterpart of `--without-rls`, which proves the filters alone).
- A search path and role set for the session (a plain SET) instead of the transaction
  stays on the pooled connection: the next work there reads the last tenant's rows.
- A grant that lets the service role itself read a tenant's schema fails the database
  layer scenarios.
"""

from tests.mutation.mutants import Mutation, run_on_mutant
from tests.mutation.test_scenarios_catch_bugs import (
    NO_FILTER_ON_COUNTER,
    NO_FILTER_ON_ONE_USER,
    NO_FILTER_ON_USER_LIST,
)

SESSION_SEARCH_PATH = Mutation(
    "app/db.py",
    "\"SELECT set_config('search_path', quote_ident(schema_name) || ', public', true), \"\n"
    "    \"set_config('role', schema_role, true), \"",
    "\"SELECT set_config('search_path', quote_ident(schema_name) || ', public', false), \"\n"
    "    \"set_config('role', schema_role, false), \"",
)
SERVICE_ROLE_READS_TENANT_SCHEMAS = Mutation(
    "app/tenant_schemas.py",
    "    migrate_schema(connection, tenant_id, TENANT_SCHEMA_HEAD)\n    return schema",
    "    migrate_schema(connection, tenant_id, TENANT_SCHEMA_HEAD)\n"
    '    connection.execute(text(f"GRANT USAGE ON SCHEMA {q_schema} TO {service_role}"))\n'
    "    connection.execute(\n"
    '        text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {q_schema} TO {service_role}")\n'
    "    )\n"
    "    return schema",
)


def test_schema_privileges_alone_keep_tenants_apart_without_the_filters() -> None:
    run = run_on_mutant(
        [NO_FILTER_ON_ONE_USER, NO_FILTER_ON_USER_LIST, NO_FILTER_ON_COUNTER],
        ["steps", "-m", "tenant_isolation"],
        tenancy="schemas",
    )
    assert run.returncode == 0, run.output


def test_a_search_path_set_for_the_session_fails_the_pooled_connection_scenario() -> None:
    run = run_on_mutant(
        [SESSION_SEARCH_PATH], ["steps", "-m", "tenant_isolation"], tenancy="schemas"
    )
    assert run.returncode == 1, run.output
    assert run.failed("test_a_connection_back_in_the_pool_keeps_nothing"), run.output


def test_a_grant_on_a_tenant_schema_to_the_service_role_fails_the_database_layer() -> None:
    run = run_on_mutant(
        [SERVICE_ROLE_READS_TENANT_SCHEMAS], ["steps", "-m", "database_layer"], tenancy="schemas"
    )
    assert run.returncode == 1, run.output
    assert run.failed("test_outside_any_tenants_context_the_database_shows_no_users_at_all")
