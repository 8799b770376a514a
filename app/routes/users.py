"""Users of a tenant: the directory operations."""

import json
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status

from app import idempotency
from app.models import User
from app.repositories import users as repo
from app.schemas import MAX_ID, UserCreate, UserOut, UserPage, UserUpdate
from app.tenancy import CurrentTenant, TenantScope

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=idempotency.IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=255,
        description="Makes the request safe to repeat: the same key (per tenant) with the "
        "same details adds the user once and answers every repeat like the first time.",
    ),
]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def create_user(
    body: UserCreate,
    scope: CurrentTenant,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> UserOut | Response:
    if idempotency_key is None:
        user = repo.create_user(scope.session, scope.tenant.id, body)
        response.headers["Location"] = f"/users/{user.id}"
        return UserOut.model_validate(user)
    return _create_user_once(scope, body, idempotency_key)


def _create_user_once(scope: TenantScope, body: UserCreate, key: str) -> Response:
    session, tenant_id = scope.session, scope.tenant.id
    answer = idempotency.claim(
        session, tenant_id, key, idempotency.fingerprint("POST /users", body)
    )
    if answer is None:  # this request owns the key: create, and store the answer with it

        def remember(user: User) -> None:
            idempotency.remember(session, tenant_id, key, _created(user))

        answer = _created(repo.create_user(session, tenant_id, body, before_commit=remember))
    user_id = json.loads(answer.body)["id"]
    return Response(
        answer.body,  # the same bytes for the first answer and every replay
        status_code=answer.status_code,
        media_type="application/json",
        headers={"Location": f"/users/{user_id}"},
    )


def _created(user: User) -> idempotency.StoredAnswer:
    return idempotency.StoredAnswer(
        status.HTTP_201_CREATED, UserOut.model_validate(user).model_dump_json()
    )


@router.get("", response_model=UserPage)
def list_users(
    scope: CurrentTenant,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Users to skip.")] = 0,
) -> UserPage:
    users, total = repo.list_users(scope.session, scope.tenant.id, limit=limit, offset=offset)
    return UserPage(
        items=[UserOut.model_validate(u) for u in users], total=total, limit=limit, offset=offset
    )


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, scope: CurrentTenant) -> UserOut:
    return UserOut.model_validate(repo.get_user(scope.session, scope.tenant.id, user_id))


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: UserId, body: UserUpdate, scope: CurrentTenant) -> UserOut:
    return UserOut.model_validate(repo.update_user(scope.session, scope.tenant.id, user_id, body))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: UserId, scope: CurrentTenant) -> Response:
    repo.delete_user(scope.session, scope.tenant.id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
