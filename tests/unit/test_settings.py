"""Settings that would let one kind of wait take every worker thread are refused at start."""

from typing import Any

import pytest
from pydantic import ValidationError

from app.settings import Settings

REQUIRED: dict[str, Any] = {
    "database_url": "postgresql://unused@127.0.0.1:1/unused",
    "jwt_secret": "x" * 32,
}


@pytest.mark.parametrize("sends", [4, 5])
def test_the_e_mail_bound_must_leave_worker_threads_free(sends: int) -> None:
    with pytest.raises(ValidationError, match="email_max_concurrent_sends must be below"):
        Settings(**REQUIRED, worker_threads=4, email_max_concurrent_sends=sends)


def test_a_bound_below_the_worker_threads_is_accepted() -> None:
    settings = Settings(**REQUIRED, worker_threads=4, email_max_concurrent_sends=3)
    assert (settings.worker_threads, settings.email_max_concurrent_sends) == (4, 3)
