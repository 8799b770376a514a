from typing import Annotated

from fastapi import APIRouter, Path, status

from app.auth.roles import MemberScope
from app.json_body import StrictJsonRoute
from app.openapi import link
from app.repositories import counters as repo
from app.schemas import COUNTER_NAME_PATTERN, CounterBatch, CounterList, CounterOut
from app.settings import AppSettings

router = APIRouter(prefix="/counters", tags=["counters"], route_class=StrictJsonRoute)

CounterName = Annotated[
    str,
    Path(
        pattern=COUNTER_NAME_PATTERN,
        description="Lower-case letters, digits, '_', '.', '-'; at most 64.",
    ),
]


# Not mutated: runs at import, building the OpenAPI document, before mutmut's switch.
def _read_counter(name: str) -> dict[str, object]:  # pragma: no mutate block
    """The link from an answer that names a counter (`name`: where in the answer) to reading it."""
    return {
        "links": {"GetCounter": link("GET", "/counters/{name}", "Read the counter.", name=name)}
    }


@router.post(
    "/increments",
    response_model=CounterList,
    responses={status.HTTP_200_OK: _read_counter("$response.body#/counters/0/name")},
)
def increment_counters(
    body: CounterBatch, scope: MemberScope, settings: AppSettings
) -> CounterList:
    """Several counters up by one each, atomically: all or none."""
    counters = repo.increment_many(
        scope.session, scope.tenant.id, body.names, max_counters=settings.counters_max
    )
    return CounterList(counters=[CounterOut.model_validate(c) for c in counters])


@router.post(
    "/{name}/increment",
    response_model=CounterOut,
    responses={status.HTTP_200_OK: _read_counter("$response.body#/name")},
)
def increment_counter(name: CounterName, scope: MemberScope, settings: AppSettings) -> CounterOut:
    value = repo.increment(scope.session, scope.tenant.id, name, max_counters=settings.counters_max)
    return CounterOut(name=name, value=value)


@router.get("/{name}", response_model=CounterOut)
def read_counter(name: CounterName, scope: MemberScope) -> CounterOut:
    return CounterOut.model_validate(repo.get_counter(scope.session, scope.tenant.id, name))
