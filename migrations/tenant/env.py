"""Alembic environment of one tenant's schema (schema-per-tenant mode; app/tenant_schemas.py).

Runs on the provisioning connection it is handed, inside its transaction, with the
search path on the tenant's schema alone: the tables land there, and the version table
too (`version_table_schema`), so each schema carries its own revision.
"""

from alembic import context
from sqlalchemy import Connection, text

config = context.config
connection: Connection = config.attributes["connection"]
schema: str = config.attributes["tenant_schema"]

quoted = connection.dialect.identifier_preparer.quote_identifier(schema)
# Local to the caller's transaction, so it ends with it (see app/db.py).
connection.execute(text("SELECT set_config('search_path', :path, true)"), {"path": quoted})
context.configure(connection=connection, version_table_schema=schema, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
