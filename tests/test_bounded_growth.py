"""What the scenarios cannot say in business words: the default page when the largest
page is small."""

import pytest
from fastapi.exceptions import RequestValidationError

from app.paging import DEFAULT_PAGE_SIZE, Page, page_params
from app.settings import Settings


def _settings(page_size_max: int) -> Settings:
    return Settings(
        database_url="postgresql://nobody@127.0.0.1/none",  # type: ignore[arg-type]
        jwt_secret="x" * 32,  # type: ignore[arg-type]
        page_size_max=page_size_max,
    )


@pytest.mark.parametrize("largest", [1, DEFAULT_PAGE_SIZE - 1, DEFAULT_PAGE_SIZE, 500])
def test_a_page_not_asked_for_is_the_default_or_the_largest_page(largest: int) -> None:
    page = page_params(_settings(largest), limit=None, offset=0)
    assert page == Page(limit=min(DEFAULT_PAGE_SIZE, largest), offset=0)


def test_a_page_past_the_largest_names_the_field() -> None:
    with pytest.raises(RequestValidationError) as refused:
        page_params(_settings(5), limit=6, offset=0)
    assert [e["loc"] for e in refused.value.errors()] == [("query", "limit")]
