"""Reading a paged list to its end, the way a client does: page after page."""

from collections.abc import Callable

from harness.api import HttpResponse
from harness.stored import Row

MAX_PAGES = 50  # bounded, whatever the service answers

FetchPage = Callable[[int, int], HttpResponse]  # (limit, offset) -> one page


def read_pages(fetch: FetchPage, size: int) -> list[list[Row]]:
    """Every page of `size` items, until an empty one; each page must be a 200."""
    pages: list[list[Row]] = []
    totals: set[int] = set()
    offset = 0
    while len(pages) < MAX_PAGES:
        answer = fetch(size, offset)
        assert answer.status_code == 200, answer.text
        items: list[Row] = answer.json()["items"]
        totals.add(answer.json()["total"])
        if not items:
            break
        pages.append(items)
        offset += len(items)
    # Every page tells how many there are in all: as many as the pages hold.
    assert totals == {offset}, f"pages of {offset} items in all said total {sorted(totals)}"
    return pages
