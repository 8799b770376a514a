"""What the scenarios cannot say in business words: how far one claim sweeps expired
Idempotency-Keys, and the default page when the largest page is small."""

import asyncio
from datetime import timedelta

import pytest
from fastapi.exceptions import RequestValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import idempotency
from app.db import apply_tenant
from app.models import IdempotencyKey
from app.paging import DEFAULT_PAGE_SIZE, Page, page_params
from app.settings import Settings
from harness.factories import TenantFactory

TTL_S = 3600


def _seed_keys(session: Session, tenant_id: int, ages_s: dict[str, int]) -> None:
    now = session.execute(select(func.now())).scalar_one()
    session.add_all(
        IdempotencyKey(
            tenant_id=tenant_id,
            key=key,
            fingerprint="f" * 64,
            status_code=201,
            response_body='{"id": 1}',
            created_at=now - timedelta(seconds=age),
        )
        for key, age in ages_s.items()
    )
    session.flush()


def _keys(session: Session, tenant_id: int) -> set[str]:
    return set(
        session.scalars(select(IdempotencyKey.key).where(IdempotencyKey.tenant_id == tenant_id))
    )


@pytest.fixture
def tenant_id(db_session: Session) -> int:
    tenant = TenantFactory(slug="acme", name="Acme")
    apply_tenant(db_session, tenant.id)
    return tenant.id


def test_a_claim_sweeps_one_batch_of_expired_keys_oldest_first_and_no_live_one(
    db_session: Session, tenant_id: int
) -> None:
    batch = idempotency.SWEEP_BATCH
    # expired-0 is the oldest; the five youngest expired keys are left for later claims.
    expired = {f"expired-{n}": TTL_S * 2 + batch + 5 - n for n in range(batch + 5)}
    live = {"live-0": 0, "live-1": TTL_S - 60}
    _seed_keys(db_session, tenant_id, {**expired, **live})

    assert idempotency.claim(db_session, tenant_id, "new", "a" * 64, ttl_s=TTL_S) is None

    left = {f"expired-{n}" for n in range(batch, batch + 5)}
    assert _keys(db_session, tenant_id) == left | set(live) | {"new"}


def test_an_expired_key_the_sweep_did_not_reach_is_taken_over_as_new(
    db_session: Session, tenant_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "SWEEP_BATCH", 0)
    _seed_keys(db_session, tenant_id, {"sam-1": TTL_S + 1})

    assert idempotency.claim(db_session, tenant_id, "sam-1", "b" * 64, ttl_s=TTL_S) is None

    row = db_session.execute(
        select(IdempotencyKey.fingerprint, IdempotencyKey.response_body).where(
            IdempotencyKey.key == "sam-1"
        )
    ).one()
    assert (row.fingerprint, row.response_body) == ("b" * 64, None)


def _settings(page_size_max: int) -> Settings:
    return Settings(
        database_url="postgresql://nobody@127.0.0.1/none",
        jwt_secret="x" * 32,
        page_size_max=page_size_max,
    )


@pytest.mark.parametrize("largest", [1, DEFAULT_PAGE_SIZE - 1, DEFAULT_PAGE_SIZE, 500])
def test_a_page_not_asked_for_is_the_default_or_the_largest_page(largest: int) -> None:
    page = asyncio.run(page_params(_settings(largest), limit=None, offset=0))
    assert page == Page(limit=min(DEFAULT_PAGE_SIZE, largest), offset=0)


def test_a_page_past_the_largest_names_the_field() -> None:
    with pytest.raises(RequestValidationError) as refused:
        asyncio.run(page_params(_settings(5), limit=6, offset=0))
    assert [e["loc"] for e in refused.value.errors()] == [("query", "limit")]
