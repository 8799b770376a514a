import pytest

from app.tenancy import TenantMalformed, TenantMissing, parse_tenant_slug


@pytest.mark.parametrize("raw", ["acme", "globex-2", "a", "x" * 63])
def test_slugs_are_accepted(raw: str) -> None:
    assert parse_tenant_slug(raw) == raw


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_missing_tenant_is_refused(raw: str | None) -> None:
    with pytest.raises(TenantMissing):
        parse_tenant_slug(raw)


@pytest.mark.parametrize(
    "raw", ["ACME", "acme corp", "-acme", "acme-", "x" * 64, "acme;drop", "acme\x00", "ácme"]
)
def test_a_malformed_tenant_is_refused(raw: str) -> None:
    with pytest.raises(TenantMalformed):
        parse_tenant_slug(raw)
