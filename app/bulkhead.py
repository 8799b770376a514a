"""A bulkhead per tenant: no tenant's requests may hold every database connection at once.

Requests that wait on the database (a row held by a long job, a slow query) keep their
connection while they wait. Without a bound, one tenant's queue takes the whole pool and
every other tenant's requests are refused for want of a connection. Each tenant may hold
at most its share of the connections; a request past that share first hands its
connection back, then waits (holding no connection) for one of its tenant's slots, and is
refused with 503 `tenant_busy` if none frees in time.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.errors import ServiceUnavailable
from app.settings import Settings


class TenantBusy(ServiceUnavailable):
    code = "tenant_busy"


class TenantBulkhead:
    def __init__(self, slots: int, wait_s: float) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self._lock = threading.Lock()
        self._by_tenant: dict[int, threading.BoundedSemaphore] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> "TenantBulkhead":
        connections = settings.db_pool_size + settings.db_max_overflow
        slots = max(1, int(connections * settings.db_tenant_share))
        return cls(slots, settings.db_pool_timeout_s)

    def _semaphore(self, tenant_id: int) -> threading.BoundedSemaphore:
        with self._lock:  # one semaphore per tenant that exists (and one for "no tenant")
            return self._by_tenant.setdefault(tenant_id, threading.BoundedSemaphore(self.slots))

    @contextmanager
    def slot(self, tenant_id: int, *, before_waiting: Callable[[], None]) -> Iterator[None]:
        """Hold one of the tenant's slots while the block runs; `before_waiting` is called
        (to hand the connection back) only when the request has to wait for one."""
        semaphore = self._semaphore(tenant_id)
        if not semaphore.acquire(blocking=False):
            before_waiting()
            if not semaphore.acquire(timeout=self.wait_s):
                raise TenantBusy(
                    "This tenant has too many requests in progress; try again shortly.",
                    headers={"Retry-After": "1"},
                )
        try:
            yield
        finally:
            semaphore.release()
