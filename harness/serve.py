"""`make serve`: the service on 127.0.0.1 against a PostgreSQL of its own, until Ctrl-C.

Stands the database up the way the suite does (TEST_DATABASE_URL's server, or a throwaway
cluster from the machine's server binaries), applies the migrations as the owner, connects
the service as its own role, provisions a demo tenant with an admin API key (printed once),
and removes the database (and the cluster) when it stops.
"""

import argparse
import secrets
import sys
from collections.abc import Sequence

import uvicorn
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.auth import api_keys
from app.main import create_app
from app.tenant_schemas import create_schema
from harness.faults import in_tenant_schema
from harness.provision import SERVICE_ROLE, TENANT_GROUP_ROLE, TestDatabase, worker_database_name
from harness.suite_database import postgres_server, service_settings, suite_database

DEMO_TENANT = "demo"


def provision_demo_tenant(database: TestDatabase, tenancy: str = "rows") -> str:
    """Tenant `demo` with an admin API key, as the owner (provisioning is not the service's job).

    In schemas mode the tenant gets its schema and role first, and the key goes there.
    Returns the key's secret: it is not stored anywhere, only its digest.
    """
    key = api_keys.new_key()
    engine = create_engine(database.admin_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            tenant_id = connection.scalar(
                text(
                    "INSERT INTO tenants (slug, name, seat_limit) "
                    "VALUES (:slug, 'Demo', 50) RETURNING id"
                ),
                {"slug": DEMO_TENANT},
            )
            if tenancy == "schemas":
                create_schema(
                    connection,
                    tenant_id,
                    DEMO_TENANT,
                    service_role=SERVICE_ROLE,
                    group_role=TENANT_GROUP_ROLE,
                )
                in_tenant_schema(connection, tenant_id)
            connection.execute(
                text(
                    "INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, role) "
                    "VALUES (:tenant_id, 'demo admin', :prefix, :digest, 'admin')"
                ),
                {
                    "tenant_id": tenant_id,
                    "prefix": api_keys.prefix_of(key),
                    "digest": api_keys.digest(key),
                },
            )
    finally:
        engine.dispose()
    return key


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make serve", description=__doc__)
    parser.add_argument("--port", type=int, default=8000, help="on 127.0.0.1 (default 8000)")
    args = parser.parse_args(argv)
    with (
        postgres_server() as server,
        suite_database(server, worker_database_name("serve", "demo")) as database,
    ):
        settings = service_settings(database).model_copy(
            update={
                # A fresh signing key per run, production password cost. The cookie stays
                # Secure (its __Host- prefix needs it): browsers accept that from 127.0.0.1.
                "jwt_secret": SecretStr(secrets.token_urlsafe(48)),
                "password_hash_time_cost": 3,
                "password_hash_memory_kib": 65_536,
                "password_hash_parallelism": 4,
            }
        )
        key = provision_demo_tenant(database, settings.tenancy)
        base = f"http://127.0.0.1:{args.port}"
        print(
            f"Serving on {base} (Ctrl-C stops it and removes its database)\n"
            f"Tenant: {DEMO_TENANT}   admin API key (shown once): {key}\n"
            f"Try:    curl -H 'X-Tenant-ID: {DEMO_TENANT}' -H 'X-API-Key: {key}' {base}/users\n",
            flush=True,
        )
        uvicorn.run(create_app(settings), host="127.0.0.1", port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
