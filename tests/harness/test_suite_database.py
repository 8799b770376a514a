"""The suite's own database plumbing: binaries, isolation modes, cleanup."""

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.models import Tenant
from harness import provision
from harness.factories import TenantFactory
from harness.pg_cluster import PostgresNotFound, find_bindir


def test_without_server_binaries_the_suite_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(PostgresNotFound, match="apt-get install postgresql"):
        find_bindir([tmp_path, tmp_path / "nowhere"])


def test_the_binaries_are_found_in_a_folder_that_has_them(tmp_path: Path) -> None:
    for name in ("initdb", "pg_ctl"):
        (tmp_path / name).touch()
    assert find_bindir([tmp_path / "nowhere", tmp_path]) == tmp_path


def _tenants_seen_by_another_connection(admin_engine: Engine) -> int:
    with admin_engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Tenant.__table__)) or 0


def test_savepoint_mode_rows_stay_inside_the_scenario(
    db_session: Session, admin_engine: Engine
) -> None:
    TenantFactory()
    assert db_session.scalar(select(func.count()).select_from(Tenant)) == 1
    assert _tenants_seen_by_another_connection(admin_engine) == 0


@pytest.mark.committed_data
def test_committed_mode_rows_are_seen_by_other_connections(
    db_session: Session, admin_engine: Engine
) -> None:
    TenantFactory()
    assert _tenants_seen_by_another_connection(admin_engine) == 1


def test_wipe_empties_every_table(admin_engine: Engine, seeder_engine: Engine) -> None:
    with Session(seeder_engine) as session:
        session.add(Tenant(slug="wipe-me", name="Wipe me", seat_limit=1))
        session.commit()
    assert _tenants_seen_by_another_connection(admin_engine) == 1
    provision.wipe(admin_engine)
    assert _tenants_seen_by_another_connection(admin_engine) == 0


def test_worker_databases_are_named_apart() -> None:
    gw0 = provision.worker_database_name("test", "gw0")
    gw1 = provision.worker_database_name("test", "gw1")
    assert gw0 != gw1 and gw0.startswith("test_gw0_")


def _database_oid(server: URL, name: str) -> int | None:
    engine = create_engine(server, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            oid = conn.scalar(text("SELECT oid FROM pg_database WHERE datname = :n"), {"n": name})
            return int(oid) if oid is not None else None
    finally:
        engine.dispose()


def test_the_template_is_migrated_once_and_clones_have_the_schema(pg_server: URL) -> None:
    template = provision.template_database(pg_server)
    assert template == provision.template_name()
    first = _database_oid(pg_server, template)
    assert provision.template_database(pg_server) == template
    assert _database_oid(pg_server, template) == first, "made again, not reused"
    clone = provision.clone_database(pg_server, template, "clone_check_" + str(os.getpid()))
    try:
        engine = create_engine(clone.seeder_url, poolclass=NullPool)
        with Session(engine) as session:  # the seeder's grants came with the copy
            session.add(Tenant(slug="cloned", name="Cloned", seat_limit=1))
            session.flush()
            assert session.scalar(select(func.count()).select_from(Tenant)) == 1
            session.rollback()
        engine.dispose()
    finally:
        provision.drop_database(pg_server, clone.name)
    assert _database_oid(pg_server, clone.name) is None


def test_a_changed_migration_is_a_new_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migration = tmp_path / "0001.py"
    migration.write_text("# one\n")
    monkeypatch.setattr(provision, "ROOT", tmp_path)
    monkeypatch.setattr(provision, "_TEMPLATE_SOURCES", (tmp_path,))
    before = provision.template_name()
    migration.write_text("# two\n")
    assert provision.template_name() != before
