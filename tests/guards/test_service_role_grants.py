"""The service role holds exactly the rights the routes need: a committed allow-list.

Its flags (no superuser, no BYPASSRLS, owns nothing) are checked in
test_database_guard.py; a weak role with a stray GRANT is still too strong. This
reads what the role may *effectively* do (has_*_privilege: its own grants, PUBLIC's
and those of any role it is a member of) on every table, column, sequence, function,
schema and the database, and fails on anything not listed here. A new right is a
decision: add it here, in the same change as the migration that grants it.
"""

from sqlalchemy import Connection, Engine, text

from harness.provision import SERVICE_ROLE

TENANT_SCOPED_RIGHTS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"})

ALLOWED: dict[str, frozenset[str]] = {
    # PUBLIC's defaults on a new database.
    "database": frozenset({"CONNECT", "TEMPORARY"}),
    "schema public": frozenset({"USAGE"}),
    # Read only: resolving X-Tenant-ID and the seat limit. Provisioning creates
    # tenants, as another role; seats are counted under an advisory lock (0005).
    "table tenants": frozenset({"SELECT"}),
    "table users": TENANT_SCOPED_RIGHTS,
    "table counters": TENANT_SCOPED_RIGHTS,
    "table api_keys": TENANT_SCOPED_RIGHTS,
    "table idempotency_keys": TENANT_SCOPED_RIGHTS,
    # Failed sign-ins by account digest (0006): recorded, counted, swept; never changed.
    "table login_failures": frozenset({"SELECT", "INSERT", "DELETE"}),
    # The sweep's SELECT ... FOR UPDATE SKIP LOCKED needs UPDATE on some column.
    "column login_failures.failed_at": frozenset({"UPDATE"}),
    # Identity columns of the tables the service inserts into.
    "sequence users_id_seq": frozenset({"USAGE"}),
    "sequence api_keys_id_seq": frozenset({"USAGE"}),
    "sequence login_failures_id_seq": frozenset({"USAGE"}),
}

# Everything outside PostgreSQL's own schemas.
USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'"

TABLE_RIGHTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
COLUMN_RIGHTS = ("SELECT", "INSERT", "UPDATE", "REFERENCES")
SEQUENCE_RIGHTS = ("USAGE", "SELECT", "UPDATE")
RIGHTS_QUERIES = {
    "table": f"""
        SELECT 'table ' || c.relname, p.name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
             unnest(CAST(:table_rights AS text[])) AS p(name)
        WHERE {USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND has_table_privilege(:role, c.oid, p.name)
    """,
    # Column grants the table-wide right does not already cover: UPDATE (seat_limit), say.
    "column": f"""
        SELECT 'column ' || c.relname || '.' || a.attname, p.name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
             unnest(CAST(:column_rights AS text[])) AS p(name)
        WHERE {USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND has_column_privilege(:role, c.oid, a.attnum, p.name)
          AND NOT has_table_privilege(:role, c.oid, p.name)
    """,
    "sequence": f"""
        SELECT 'sequence ' || c.relname, p.name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
             unnest(CAST(:sequence_rights AS text[])) AS p(name)
        WHERE {USER_SCHEMAS} AND c.relkind = 'S' AND has_sequence_privilege(:role, c.oid, p.name)
    """,
    "function": f"""
        SELECT 'function ' || f.oid::regprocedure::text, 'EXECUTE'
        FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace
        WHERE {USER_SCHEMAS} AND has_function_privilege(:role, f.oid, 'EXECUTE')
    """,
    "schema": f"""
        SELECT 'schema ' || n.nspname, p.name
        FROM pg_namespace n, unnest(ARRAY['USAGE', 'CREATE']) AS p(name)
        WHERE {USER_SCHEMAS} AND has_schema_privilege(:role, n.oid, p.name)
    """,
    "database": """
        SELECT 'database', p.name
        FROM unnest(ARRAY['CONNECT', 'CREATE', 'TEMPORARY']) AS p(name)
        WHERE has_database_privilege(:role, current_database(), p.name)
    """,
    # Membership hands over another role's rights wholesale.
    "member of": """
        SELECT 'member of ' || r.rolname, 'MEMBER'
        FROM pg_roles r
        WHERE r.rolname <> :role AND pg_has_role(:role, r.oid, 'MEMBER')
    """,
}


def effective_rights(conn: Connection, role: str) -> dict[str, frozenset[str]]:
    params = {
        "role": role,
        "table_rights": list(TABLE_RIGHTS),
        "column_rights": list(COLUMN_RIGHTS),
        "sequence_rights": list(SEQUENCE_RIGHTS),
    }
    found: dict[str, set[str]] = {}
    for query in RIGHTS_QUERIES.values():
        for target, right in conn.execute(text(query), params):
            found.setdefault(target, set()).add(right)
    return {target: frozenset(rights) for target, rights in found.items()}


def beyond(held: dict[str, frozenset[str]], allowed: dict[str, frozenset[str]]) -> list[str]:
    """Each right held and not allowed, as 'UPDATE on column tenants.seat_limit'."""
    return sorted(
        f"{right} on {target}"
        for target, rights in held.items()
        for right in rights - allowed.get(target, frozenset())
    )


def test_the_service_role_has_no_right_beyond_the_allow_list(admin_engine: Engine) -> None:
    with admin_engine.connect() as conn:
        held = effective_rights(conn, SERVICE_ROLE)
    extra = beyond(held, ALLOWED)
    assert not extra, f"{SERVICE_ROLE} may do more than the routes need: {extra}"


def test_the_allow_list_is_not_stale(admin_engine: Engine) -> None:
    """A right listed but no longer granted: the list must say what the role holds."""
    with admin_engine.connect() as conn:
        held = effective_rights(conn, SERVICE_ROLE)
    assert beyond(ALLOWED, held) == [], "allowed but not held; update ALLOWED"


def test_the_guard_sees_column_rights_and_memberships() -> None:
    held = {
        "column tenants.seat_limit": frozenset({"UPDATE"}),
        "member of app_owner": frozenset({"MEMBER"}),
        "table users": frozenset({"SELECT", "TRUNCATE"}),
    }
    assert beyond(held, ALLOWED) == [
        "MEMBER on member of app_owner",
        "TRUNCATE on table users",
        "UPDATE on column tenants.seat_limit",
    ]
