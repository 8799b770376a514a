from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.roles import MemberScope
from app.repositories import counters as repo
from app.schemas import CounterOut

router = APIRouter(prefix="/counters", tags=["counters"])

CounterName = Annotated[
    str,
    Path(
        pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$",
        description="Lower-case letters, digits, '_', '.', '-'; at most 64.",
    ),
]


@router.post("/{name}/increment", response_model=CounterOut)
def increment_counter(name: CounterName, scope: MemberScope) -> CounterOut:
    return CounterOut(name=name, value=repo.increment(scope.session, scope.tenant.id, name))


@router.get("/{name}", response_model=CounterOut)
def read_counter(name: CounterName, scope: MemberScope) -> CounterOut:
    return CounterOut.model_validate(repo.get_counter(scope.session, scope.tenant.id, name))
