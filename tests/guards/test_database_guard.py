"""The database layer is really there: RLS on every tenant-scoped table, a weak service role."""

from sqlalchemy import Engine, text

from harness.provision import BYPASS_ROLE, SERVICE_ROLE


def test_every_table_with_a_tenant_id_has_forced_row_level_security(admin_engine: Engine) -> None:
    with admin_engine.connect() as conn:
        rows = conn.execute(
            text(
                """
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
                FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
                WHERE c.relkind = 'r'
                """
            )
        ).all()
    assert {row.relname for row in rows} >= {"users", "counters"}
    weak = [row for row in rows if not (row.relrowsecurity and row.relforcerowsecurity)]
    assert not weak, f"tables without ENABLE + FORCE ROW LEVEL SECURITY: {weak}"
    assert all(row.policies >= 1 for row in rows), rows


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
