from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.roles import MemberScope
from app.json_body import StrictJsonRoute
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


@router.post("/increments", response_model=CounterList)
def increment_counters(
    body: CounterBatch, scope: MemberScope, settings: AppSettings
) -> CounterList:
    """Several counters up by one each, atomically: all or none."""
    counters = repo.increment_many(
        scope.session, scope.tenant.id, body.names, max_counters=settings.counters_max
    )
    return CounterList(counters=[CounterOut.model_validate(c) for c in counters])


@router.post("/{name}/increment", response_model=CounterOut)
def increment_counter(name: CounterName, scope: MemberScope, settings: AppSettings) -> CounterOut:
    value = repo.increment(scope.session, scope.tenant.id, name, max_counters=settings.counters_max)
    return CounterOut(name=name, value=value)


@router.get("/{name}", response_model=CounterOut)
def read_counter(name: CounterName, scope: MemberScope) -> CounterOut:
    return CounterOut.model_validate(repo.get_counter(scope.session, scope.tenant.id, name))
