from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.auth.roles import AdminScope, MemberScope
from app.outbound.email import EmailProviderDep
from app.repositories import users as repo
from app.schemas import MAX_ID, InvitationOut, UserCreate, UserOut, UserPage, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The user's id.")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserOut)
def create_user(body: UserCreate, scope: AdminScope, response: Response) -> UserOut:
    user = repo.create_user(scope.session, scope.tenant.id, body)
    response.headers["Location"] = f"/users/{user.id}"
    return UserOut.model_validate(user)


@router.get("", response_model=UserPage)
def list_users(
    scope: MemberScope,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Users to skip.")] = 0,
) -> UserPage:
    users, total = repo.list_users(scope.session, scope.tenant.id, limit=limit, offset=offset)
    return UserPage(
        items=[UserOut.model_validate(u) for u in users], total=total, limit=limit, offset=offset
    )


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: UserId, scope: MemberScope) -> UserOut:
    return UserOut.model_validate(repo.get_user(scope.session, scope.tenant.id, user_id))


@router.patch("/{user_id}", response_model=UserOut)
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
    """Ask the e-mail provider to invite the user; record it only once the provider accepted."""
    user = repo.get_user(scope.session, scope.tenant.id, user_id)
    to, name = user.email, user.name
    # End the read before the outbound call: no transaction (or pooled connection)
    # is held while a slow provider keeps us waiting.
    scope.session.commit()
    message_id = email.send_invitation(to=to, name=name, tenant=scope.tenant.slug)
    user = repo.mark_invited(scope.session, scope.tenant.id, user_id)
    assert user.invited_at is not None
    return InvitationOut(user_id=user.id, invited_at=user.invited_at, message_id=message_id)
