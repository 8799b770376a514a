"""The writes the service re-ran because PostgreSQL chose them as deadlock victims.

The service re-runs a write that lost a deadlock (`app.db.run_write`), so a caller sees a
deadlock only when it is lost every time. The re-runs are logged with the SQLSTATE as a
structured field; the live server runs in this process, so the suite reads them here and
can hold the service to "no two requests deadlock at all", which the answers alone cannot
show (seen: the review's deadlock under idempotency keys, put back, deadlocked in every
batch of arrivals and reached a caller in about one in five).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from app.errors import DEADLOCK_DETECTED

SERVICE_DB_LOGGER = "app.db"


class _DeadlockVictims(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "sqlstate", None) == DEADLOCK_DETECTED:
            self.count += 1  # emit runs under the handler's lock: threads do not lose counts


@contextmanager
def deadlock_victims() -> Iterator[_DeadlockVictims]:
    """Count, while the block runs, the service's writes re-run after losing a deadlock."""
    logger = logging.getLogger(SERVICE_DB_LOGGER)
    victims = _DeadlockVictims()
    level = logger.level
    logger.addHandler(victims)
    if not logger.isEnabledFor(logging.WARNING):
        logger.setLevel(logging.WARNING)  # a quieter logging setup must not hide them
    try:
        yield victims
    finally:
        logger.removeHandler(victims)
        logger.setLevel(level)
