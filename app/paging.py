"""Paging of every list: `limit` and `offset`, the largest page from the settings."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from app.schemas import MAX_ID
from app.settings import AppSettings

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


# async: pure work, so FastAPI runs it on the event loop instead of a worker thread hop.
async def page_params(
    settings: AppSettings,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            description=f"Page size: {DEFAULT_PAGE_SIZE} when not given (or the largest page, "
            "if smaller); at most the service's largest page (APP_PAGE_SIZE_MAX, 100 unless "
            "configured).",
        ),
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
) -> Page:
    largest = settings.page_size_max
    if limit is None:
        return Page(limit=min(DEFAULT_PAGE_SIZE, largest), offset=offset)
    if limit > largest:
        raise _too_large(limit, largest)
    return Page(limit=limit, offset=offset)


def _too_large(limit: int, largest: int) -> RequestValidationError:
    # The bound comes from the settings at run time, so `Query(le=...)` cannot say it;
    # this is the error pydantic would give for it, in the same 422 `validation_failed`.
    return RequestValidationError(
        [
            {
                "loc": ("query", "limit"),
                "msg": f"Input should be less than or equal to {largest}",
                "type": "less_than_equal",
                "input": limit,
                "ctx": {"le": largest},
            }
        ]
    )


PageParams = Annotated[Page, Depends(page_params)]
