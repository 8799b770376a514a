"""Users of a tenant: the directory operations."""

import json
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response, status

from app import idempotency
from app.auth.roles import AdminScope, MemberScope
from app.db import run_write
from app.json_body import StrictJsonRoute
from app.models import User
from app.openapi import link
from app.outbound.email import EmailProviderDep
from app.paging import PageParams
from app.repositories import users as repo
from app.schemas import (
    MAX_ID,
    ErrorBody,
    InvitationOut,
    UserCreate,
    UserOut,
    UserPage,
    UserUpdate,
)
from app.settings import AppSettings
from app.tenancy import TenantScope

router = APIRouter(prefix="/users", tags=["users"], route_class=StrictJsonRoute)

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]

_USER = "/users/{user_id}"
# The answers that name a user: what a client does with that user next.
USER_LINKS = {
    "links": {
        "GetUser": link("GET", _USER, "Read the user.", user_id="$response.body#/id"),
        "UpdateUser": link("PATCH", _USER, "Change the user.", user_id="$response.body#/id"),
        "DeleteUser": link("DELETE", _USER, "Remove the user.", user_id="$response.body#/id"),
        "InviteUser": link(
            "POST", f"{_USER}/invitations", "Invite the user.", user_id="$response.body#/id"
        ),
    }
}


IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=idempotency.IDEMPOTENCY_HEADER,
        min_length=1,
        max_length=255,
        description="Makes the request safe to repeat: the same key (per tenant) with the "
        "same details adds the user once and answers every repeat like the first time. The "
        "same key with other details is refused: 422 idempotency_key_reused.",
    ),
]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses={
        status.HTTP_201_CREATED: USER_LINKS,
        status.HTTP_422_UNPROCESSABLE_CONTENT: {
            "model": ErrorBody,
            "description": "The details are not valid (`validation_failed`), or the "
            "Idempotency-Key was already used for other details (`idempotency_key_reused`).",
        },
    },
)
def create_user(
    body: UserCreate,
    scope: AdminScope,
    response: Response,
    settings: AppSettings,
    idempotency_key: IdempotencyKeyHeader = None,
) -> UserOut | Response:
    if idempotency_key is None:
        user = repo.create_user(scope.session, scope.tenant.id, body)
        response.headers["Location"] = f"/users/{user.id}"
        return UserOut.model_validate(user)
    return _create_user_once(scope, body, idempotency_key, settings.idempotency_key_ttl_s)


def _create_user_once(scope: TenantScope, body: UserCreate, key: str, ttl_s: int) -> Response:
    session, tenant_id = scope.session, scope.tenant.id
    # Not mutated: a constant label; any constant compares the same.
    request_fingerprint = idempotency.fingerprint("POST /users", body)  # pragma: no mutate

    def remember(user: User) -> None:
        idempotency.remember(session, tenant_id, key, _created(user))

    def attempt() -> idempotency.StoredAnswer:
        # Claim and creation are one unit: a deadlock re-run must claim the key again,
        # since the rollback took the first claim with it.
        stored = idempotency.claim(session, tenant_id, key, request_fingerprint, ttl_s=ttl_s)
        if stored is not None:
            return stored
        return _created(repo.insert_user(session, tenant_id, body, before_commit=remember))

    answer = run_write(session, attempt)
    user_id = json.loads(answer.body)["id"]
    return Response(
        answer.body,  # the same bytes for the first answer and every replay
        status_code=answer.status_code,
        media_type="application/json",
        headers={
            "Location": f"/users/{user_id}",  # pragma: no mutate (header names: any case)
        },
    )


def _created(user: User) -> idempotency.StoredAnswer:
    return idempotency.StoredAnswer(
        status.HTTP_201_CREATED, UserOut.model_validate(user).model_dump_json()
    )


@router.get("", response_model=UserPage)
def list_users(scope: MemberScope, page: PageParams) -> UserPage:
    users, total = repo.list_users(
        scope.session, scope.tenant.id, limit=page.limit, offset=page.offset
    )
    return UserPage(
        items=[UserOut.model_validate(u) for u in users],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, scope: MemberScope) -> UserOut:
    return UserOut.model_validate(repo.get_user(scope.session, scope.tenant.id, user_id))


@router.patch("/{user_id}", response_model=UserOut, responses={status.HTTP_200_OK: USER_LINKS})
def update_user(user_id: UserId, body: UserUpdate, scope: AdminScope) -> UserOut:
    return UserOut.model_validate(repo.update_user(scope.session, scope.tenant.id, user_id, body))


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: UserId, scope: AdminScope) -> Response:
    repo.delete_user(scope.session, scope.tenant.id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/invitations", status_code=status.HTTP_202_ACCEPTED, response_model=InvitationOut
)
def invite_user(user_id: UserId, scope: AdminScope, email: EmailProviderDep) -> InvitationOut:
    """Ask the e-mail provider to invite the user; record it only once the provider accepted.

    The answer says whether the e-mail went out: 404 before anything was sent (no such
    user), 502/504 when the provider did not accept it, 202 once it did, even if the
    user was removed while it was being sent (the e-mail cannot be called back).
    """
    user = repo.get_user(scope.session, scope.tenant.id, user_id)
    to, name = user.email, user.name
    # End the read before the outbound call: no transaction (or pooled connection)
    # is held while a slow provider keeps us waiting.
    scope.session.commit()
    message_id = email.send_invitation(to=to, name=name, tenant=scope.tenant.slug)
    invited_at = repo.mark_invited(scope.session, scope.tenant.id, user_id)
    return InvitationOut(user_id=user_id, invited_at=invited_at, message_id=message_id)
