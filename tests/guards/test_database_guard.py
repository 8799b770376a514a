"""The database layer is really there: RLS on every tenant-scoped table, a weak service role."""

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from harness.provision import BYPASS_ROLE, SERVICE_ROLE

# How PostgreSQL prints the one tenant condition every policy must hold (pg_get_expr):
# the row's tenant_id equal to the transaction's app.tenant_id, an empty setting as NULL.
TENANT_CONDITION = re.compile(
    r"\(tenant_id = \(NULLIF\(current_setting\('app\.tenant_id'::text, true\), "
    r"''::text\)\)::bigint\)"
)


@dataclass(frozen=True)
class Policy:
    name: str
    command: str  # pg_policy.polcmd: '*' all, 'r' select, 'a' insert, 'w' update, 'd' delete
    permissive: bool
    using: str | None
    with_check: str | None


@dataclass(frozen=True)
class TenantTable:
    name: str
    enabled: bool
    forced: bool
    policies: tuple[Policy, ...]


def tenant_tables(conn: Connection) -> list[TenantTable]:
    """Every table of the live schema with a tenant_id column, its RLS flags and policies."""
    tables = conn.execute(
        text(
            """
            SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
                               AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """
        )
    ).all()
    policies = conn.execute(
        text(
            """
            SELECT p.polrelid, p.polname, p.polcmd, p.polpermissive,
                   pg_get_expr(p.polqual, p.polrelid) AS using_expr,
                   pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr
            FROM pg_policy p
            ORDER BY p.polname
            """
        )
    ).all()
    return [
        TenantTable(
            name=t.relname,
            enabled=t.relrowsecurity,
            forced=t.relforcerowsecurity,
            policies=tuple(
                Policy(p.polname, p.polcmd, p.polpermissive, p.using_expr, p.check_expr)
                for p in policies
                if p.polrelid == t.oid
            ),
        )
        for t in tables
    ]


def keyed_on_tenant(expression: str | None) -> bool:
    return expression is not None and TENANT_CONDITION.fullmatch(expression.strip()) is not None


def rls_problems(table: TenantTable) -> list[str]:
    """What is wrong with one tenant table's row-level security, in words; empty when sound."""
    problems = []
    if not table.enabled:
        problems.append("row-level security is not ENABLEd")
    if not table.forced:
        problems.append("row-level security is not FORCEd (the owner would bypass it)")
    if not any(
        p.command == "*"
        and p.permissive
        and keyed_on_tenant(p.using)
        and keyed_on_tenant(p.with_check)
        for p in table.policies
    ):
        problems.append("no policy for all commands keyed on app.tenant_id in USING and WITH CHECK")
    # Permissive policies are OR-ed: one that is not keyed on the tenant opens the table.
    for p in table.policies:
        if p.permissive and not all(
            keyed_on_tenant(expr) for expr in (p.using, p.with_check) if expr is not None
        ):
            problems.append(f"policy {p.name} lets rows through without app.tenant_id")
    return problems


def test_every_table_with_a_tenant_id_has_forced_rls_keyed_on_the_tenant(
    admin_engine: Engine,
) -> None:
    """The migrations' SQL, read back from pg_catalog: mutation tools never touch it."""
    with admin_engine.connect() as conn:
        tables = tenant_tables(conn)
    assert {t.name for t in tables} >= {"users", "counters", "api_keys", "idempotency_keys"}
    problems = {t.name: rls_problems(t) for t in tables if rls_problems(t)}
    assert not problems, f"tenant tables with weak row-level security: {problems}"


def test_the_service_role_owns_nothing_and_cannot_bypass_rls(admin_engine: Engine) -> None:
    with admin_engine.connect() as conn:
        role = conn.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
            {"r": SERVICE_ROLE},
        ).one()
        owned = conn.scalar(
            text(
                "SELECT count(*) FROM pg_class "
                "WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = :r)"
            ),
            {"r": SERVICE_ROLE},
        )
    assert (role.rolsuper, role.rolbypassrls, owned) == (False, False, 0)


def test_the_bypass_role_is_only_for_the_without_rls_run(admin_engine: Engine) -> None:
    with admin_engine.connect() as conn:
        bypass = conn.scalar(
            text("SELECT rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": BYPASS_ROLE}
        )
    assert bypass is True
