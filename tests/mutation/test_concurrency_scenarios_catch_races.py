"""The concurrency scenarios fail when the service has the race they are about.

Each case puts a naive, realistic variant of one piece of the service into a copy
of the project (never into app/) and runs the concurrency features there: the
scenario about that race must fail, so it passes in app/ because the race is
handled, not by luck of timing.
"""

import pytest

from tests.mutation.mutants import Mutation, run_on_mutant

COUNTERS_REPO = "app/repositories/counters.py"
USERS_REPO = "app/repositories/users.py"
API_KEYS_REPO = "app/auth/api_keys.py"

# Read-modify-write in two statements: two requests read the same value, both write +1.
READ_MODIFY_WRITE_COUNTER = Mutation(
    COUNTERS_REPO,
    """    upsert = (
        insert(Counter)
        .values(tenant_id=tenant_id, name=name, value=1)
        .on_conflict_do_update(
            index_elements=[Counter.tenant_id, Counter.name],
            set_={"value": Counter.value + 1},
        )
        .returning(Counter.value)
    )
    value: int = session.execute(upsert).scalar_one()
""",
    """    from sqlalchemy import update

    where = (Counter.tenant_id == tenant_id, Counter.name == name)
    value = session.scalar(select(Counter.value).where(*where)) + 1
    session.execute(update(Counter).where(*where).values(value=value))
""",
)
# Check-then-insert without the per-tenant seat lock: two requests count the same free seat.
# No sleep: the scenario holds the inserts until the arrivals have queued (faults.inserts_held),
# so they all count before any inserts: lost 20 runs in 20 per row, 12 to 13 in 20 without it.
UNLOCKED_SEAT_COUNT = Mutation(USERS_REPO, "    lock_seats(session, tenant_id)\n", "")
# The per-tenant caps counted without the tenant's advisory lock: two creates count the
# same free place. Unlocked, the race was lost in about 1 run of 3 for API keys here; as
# for the seats, 50 ms between count and insert (in this copy only) loses it every time.
ATTEMPTS_TO_LOSE_THE_RACE = 3
UNLOCKED_API_KEY_CAP = (
    Mutation(API_KEYS_REPO, "    lock_tenant_resource(session, LOCK, tenant_id)\n", ""),
    Mutation(
        API_KEYS_REPO,
        "    if (active or 0) >= max_active:\n",
        '    __import__("time").sleep(0.3)\n    if (active or 0) >= max_active:\n',
    ),
)
UNLOCKED_COUNTER_CAP = (
    Mutation(COUNTERS_REPO, "    lock_tenant_resource(session, LOCK, tenant_id)\n", ""),
    Mutation(
        COUNTERS_REPO,
        "    if new and (used or 0) + len(new) > max_counters:\n",
        '    __import__("time").sleep(0.3)\n'
        "    if new and (used or 0) + len(new) > max_counters:\n",
    ),
)
# One upsert per counter, in the caller's order: opposite orders wait on each other.
UNORDERED_BATCH_LOCKS = Mutation(
    COUNTERS_REPO,
    """    values = [{"tenant_id": tenant_id, "name": name, "value": 1} for name in sorted(names)]
    upsert = (
        insert(Counter)
        .values(values)
        .on_conflict_do_update(
            index_elements=[Counter.tenant_id, Counter.name],
            set_={"value": Counter.value + 1},
        )
        .returning(Counter.name, Counter.value)
    )
    rows = session.execute(upsert).all()
""",
    """    rows = []
    for name in names:
        stmt = insert(Counter).values(tenant_id=tenant_id, name=name, value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[Counter.tenant_id, Counter.name],
            set_={"value": Counter.value + 1},
        ).returning(Counter.name, Counter.value)
        rows.append(session.execute(stmt).one())
""",
)

# The request's tenant in a module global instead of the per-request context: under
# load one request acts for the tenant of another.
GLOBAL_TENANT = (
    Mutation(
        "app/tenancy.py",
        """    enter_tenant(session, tenant)
    if claims is not None:
""",
        """    global _TENANT
    _TENANT = tenant
    enter_tenant(session, tenant)
    if claims is not None:
""",
    ),
    Mutation(
        "app/tenancy.py",
        "    return TenantScope(session=session, tenant=tenant, principal=principal)\n",
        "    return TenantScope(session=session, tenant=_TENANT, principal=principal)\n",
    ),
)


def test_a_read_modify_write_counter_fails_the_hundred_increments() -> None:
    run = run_on_mutant(
        [READ_MODIFY_WRITE_COUNTER], ["steps", "-m", "concurrency", "-k", "hundred_increments"]
    )
    assert run.returncode == 1, run.output
    assert run.failed("test_a_hundred_increments_at_once_all_count"), run.output


def test_locking_rows_in_the_callers_order_fails_the_overlapping_changes() -> None:
    run = run_on_mutant(
        [UNORDERED_BATCH_LOCKS], ["steps", "-m", "concurrency", "-k", "opposite_orders"]
    )
    assert run.returncode == 1, run.output
    assert run.failed("test_changes_to_the_same_counters_in_opposite_orders_all_finish"), run.output


def test_an_unlocked_seat_count_fails_the_seat_limit() -> None:
    run = run_on_mutant([UNLOCKED_SEAT_COUNT], ["steps", "-m", "concurrency", "-k", "seats"])
    assert run.returncode == 1, run.output
    assert run.failed("test_forty_people_arriving_at_once_for_five_seats"), run.output


@pytest.mark.parametrize(
    ("mutations", "caught_by"),
    [
        (UNLOCKED_API_KEY_CAP, "test_twenty_api_keys_created_at_once_with_room_for_five_more"),
        (UNLOCKED_COUNTER_CAP, "test_twenty_new_counters_started_at_once_with_room_for_five"),
    ],
    ids=["api-keys", "counters"],
)
def test_an_unlocked_cap_fails_its_scenario(
    mutations: tuple[Mutation, ...], caught_by: str
) -> None:
    # The unlocked counter cap was missed in about 1 run of 6 here even with 300 ms between
    # count and insert (the requests did not all overlap); up to three runs keep this check
    # of the mutant itself from flaking, and the race must still be lost in one of them.
    for _ in range(ATTEMPTS_TO_LOSE_THE_RACE):
        run = run_on_mutant([*mutations], ["steps", "-m", "concurrency", "-k", "room"])
        if run.returncode == 1:
            break
    assert run.returncode == 1, run.output
    assert run.failed(caught_by), run.output


@pytest.mark.parametrize(
    "layers",
    [[], ["--without-rls"]],
    # With RLS the database refuses the mixed-up rows (a 500); without it they leak.
    ids=["with-rls", "application-alone"],
)
def test_a_tenant_in_a_global_fails_the_two_busy_tenants(layers: list[str]) -> None:
    run = run_on_mutant(
        [*GLOBAL_TENANT], ["steps", "-m", "concurrency", "-k", "two_tenants", *layers]
    )
    assert run.returncode == 1, run.output
    assert run.failed("test_two_tenants_busy_at_the_same_moment_never_see_each_others_people"), (
        run.output
    )
