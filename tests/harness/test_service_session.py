"""In the savepoint mode the service's requests run as the service's role, not the seeder's.

The scenario's session connects as the seeding role, which may create tenants; the
service may not. A request handed that session must not inherit the extra right.
"""

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from app.models import Tenant
from harness.provision import SEEDER_ROLE, SERVICE_ROLE
from harness.service_session import sessions_as

NEW_TENANT = insert(Tenant).values(slug="sneaky", name="Sneaky", seat_limit=1)


def _current_user(session: Session) -> str:
    return str(session.scalar(text("SELECT current_user")))


def test_a_request_runs_as_the_service_role_and_the_scenario_gets_its_own_back(
    db_session: Session,
) -> None:
    assert _current_user(db_session) == SEEDER_ROLE
    with sessions_as(db_session, SERVICE_ROLE)() as session:  # one request
        assert _current_user(session) == SERVICE_ROLE
        session.rollback()  # the service drops its work (a refused request): the role stays
        assert _current_user(session) == SERVICE_ROLE
        with pytest.raises(ProgrammingError, match="permission denied for table tenants"):
            session.execute(NEW_TENANT)
        session.rollback()
    assert _current_user(db_session) == SEEDER_ROLE
    db_session.execute(NEW_TENANT)  # seeding may create tenants
