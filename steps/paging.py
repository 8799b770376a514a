"""Paged lists (users, API keys): the largest page, pages out of bounds, what pages hold."""

from pytest_bdd import given, then, when

from harness.api import ServiceApi
from harness.phrases import phrase
from harness.world import AppTweaks, World


@given(phrase("the service answers at most {count:d} items a page"))
def largest_page(app_tweaks: AppTweaks, count: int) -> None:
    app_tweaks.set(page_size_max=count)


@when(
    phrase(
        "{tenant:Name} asks for its {listing:Listing} with {parameter:Words} set to {value:Value}"
    )
)
def list_with(
    world: World, api: ServiceApi, tenant: str, listing: str, parameter: str, value: str
) -> None:
    world.response = api.list_page(listing, world.tenant(tenant).slug, {parameter: value})


@then(phrase("the pages hold {sizes:Value} {listing:Listing}"))
def pages_hold(world: World, sizes: str) -> None:
    expected = [int(s) for s in sizes.replace(" and ", ",").split(",")]
    assert [len(page) for page in world.pages] == expected, world.pages


@then(phrase("every {item:Item} appears exactly once, oldest first"))
def each_once_in_order(world: World) -> None:
    ids = [row["id"] for page in world.pages for row in page]
    assert ids == sorted(set(ids)), f"ids out of order or repeated: {ids}"
