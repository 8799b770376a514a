"""Faults made the way production makes them: real locks, real sessions, real kills.

Everything here runs on its own connection as the database owner (a superuser on
test servers), alongside the service's own connections, and ends its transaction
before it returns or when its `with` block ends.
"""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from app.models import Counter, User
from harness.provision import BYPASS_ROLE, SERVICE_ROLE

# What the injected bug says: it must reach the log, and never an answer.
BUG_TEXT = "KeyError: tenant cache poisoned at 0xdeadbeef"
BARRIER_TIMEOUT_S = 15.0
ANSWER_TIMEOUT_S = 30.0
# The service's connections (as either of its roles) in this worker's database.
WAITING_SERVICE_BACKEND = text(
    "SELECT pid FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
    "AND usename IN (:role, :bypass) LIMIT 1"
)


# The tenant's schema first on the search path, for the rest of the transaction (schemas
# mode); in rows mode no tenant has a schema and nothing changes.
TENANT_SCHEMA_PATH = text(
    "SELECT set_config('search_path', quote_ident(schema_name) || ', public', true) "
    "FROM public.tenants WHERE id = :tenant_id AND schema_name IS NOT NULL"
)


def in_tenant_schema(connection: Connection, tenant_id: int) -> None:
    connection.execute(TENANT_SCHEMA_PATH, {"tenant_id": tenant_id})


@contextmanager
def transaction_holding_counter(admin: Engine, tenant_id: int, name: str) -> Iterator[Connection]:
    """An open transaction that holds the row lock of one counter (like a long batch job)."""
    with admin.connect() as connection, connection.begin() as tx:
        in_tenant_schema(connection, tenant_id)
        locked = connection.execute(
            select(Counter.value)
            .where(Counter.tenant_id == tenant_id, Counter.name == name)
            .with_for_update()
        ).first()
        assert locked is not None, f"no counter {name!r} to hold"
        yield connection
        tx.rollback()


@contextmanager
def counter_held_for(admin: Engine, tenant_id: int, name: str, *, seconds: float) -> Iterator[None]:
    """A batch job that holds one counter's row lock for `seconds` from a thread of its own,
    whatever the `with` block does meanwhile; joined when the block ends."""
    locked = threading.Event()

    def job() -> None:
        with transaction_holding_counter(admin, tenant_id, name):
            locked.set()
            time.sleep(seconds)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-job") as pool:
        done = pool.submit(job)
        assert locked.wait(BARRIER_TIMEOUT_S), "the batch job never took its lock"
        yield
        done.result(timeout=seconds + ANSWER_TIMEOUT_S)


# Service connections waiting on any lock in this worker's database.
SERVICE_BACKENDS_WAITING = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
    "AND usename IN (:role, :bypass)"
)
# The gate lets go once the queue stops growing this long (the bulkhead admits fewer than
# the callers: a tenant's share of the pool), or at the latest after GATE_LIMIT_S.
GATE_STEADY_S = 0.3
GATE_LIMIT_S = 5.0


@contextmanager
def inserts_held(admin: Engine, table: str) -> Iterator[None]:
    """Every insert into `table` waits, from a thread of our own, until the service's requests
    stop queueing; then all go at once. Joined when the block ends.

    `LOCK TABLE ... IN SHARE MODE` lets reads through and stops writes: requests that count
    and then insert (seats) all count, then meet at the insert. With their lock they queue
    on it one behind the other, counted or not; without it they all counted the same seats
    and all insert: the race is lost every time, with no sleep in the service.
    """
    locked = threading.Event()

    def gate() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))
            locked.set()
            waiting, steady_since, deadline = 0, time.monotonic(), time.monotonic() + GATE_LIMIT_S
            with admin.connect() as watcher:
                while time.monotonic() < deadline:
                    now = watcher.scalar(
                        SERVICE_BACKENDS_WAITING, {"role": SERVICE_ROLE, "bypass": BYPASS_ROLE}
                    )
                    watcher.rollback()  # a fresh snapshot of pg_stat_activity each round
                    if now != waiting:
                        waiting, steady_since = int(now or 0), time.monotonic()
                    elif waiting and time.monotonic() - steady_since >= GATE_STEADY_S:
                        break
                    time.sleep(0.01)
            connection.commit()  # everyone waiting goes at once

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="insert-gate") as pool:
        done = pool.submit(gate)
        assert locked.wait(BARRIER_TIMEOUT_S), f"the gate never locked {table}"
        try:
            yield
        finally:
            done.result(timeout=GATE_LIMIT_S + ANSWER_TIMEOUT_S)


def background() -> ThreadPoolExecutor:
    """One worker thread for the request under test; enter it *before* taking any lock the
    request will wait on, so the lock is released before the thread is joined."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="fault-request")


def service_backend_waiting_on_a_lock(admin: Engine) -> int:
    """Barrier: the pid of the service's connection once it waits on a lock in this database."""
    deadline = time.monotonic() + BARRIER_TIMEOUT_S
    with admin.connect() as connection:
        while time.monotonic() < deadline:
            pid = connection.scalar(
                WAITING_SERVICE_BACKEND, {"role": SERVICE_ROLE, "bypass": BYPASS_ROLE}
            )
            connection.rollback()  # a fresh snapshot of pg_stat_activity each round
            if pid is not None:
                return int(pid)
            time.sleep(0.01)
    raise AssertionError("the service's request never waited on the lock")


def terminate_backend(admin: Engine, pid: int) -> None:
    """What an operator's pg_terminate_backend (or a failover) does to a connection in use."""
    with admin.connect() as connection:
        assert connection.scalar(select(func.pg_terminate_backend(pid))), f"no backend {pid}"


class Clerk:
    """Another writer with an open transaction (a back-office tool, say).

    Its deadlock check waits long, so when it and the service deadlock, PostgreSQL
    picks the service (which waits first, with the suite database's 50 ms) as the victim.
    """

    def __init__(self, admin: Engine) -> None:
        self.connection = admin.connect()
        self.transaction = self.connection.begin()
        self.connection.execute(text("SET LOCAL deadlock_timeout = '60s'"))

    def add_user(self, tenant_id: int, name: str, email: str) -> None:
        in_tenant_schema(self.connection, tenant_id)
        self.connection.execute(
            insert(User).values(tenant_id=tenant_id, name=name, email=email, role="member")
        )

    def rename_user(self, tenant_id: int, user_id: int, name: str) -> None:
        in_tenant_schema(self.connection, tenant_id)
        self.connection.execute(update(User).where(User.id == user_id).values(name=name))

    def commit(self) -> None:
        self.transaction.commit()

    def close(self) -> None:
        """Roll back whatever was not committed, and hand the connection back."""
        if self.transaction.is_active:
            self.transaction.rollback()
        self.connection.close()
