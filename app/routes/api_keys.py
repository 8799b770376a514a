from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.auth import api_keys as repo
from app.auth.roles import AdminScope
from app.json_body import StrictJsonRoute
from app.openapi import link
from app.paging import PageParams
from app.schemas import MAX_ID, ApiKeyCreate, ApiKeyCreated, ApiKeyOut, ApiKeyPage
from app.settings import AppSettings

router = APIRouter(prefix="/api-keys", tags=["api-keys"], route_class=StrictJsonRoute)

ApiKeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="The key's id.")]

KEY_LINKS = {
    "links": {
        "RevokeApiKey": link(
            "DELETE", "/api-keys/{key_id}", "Revoke the key.", key_id="$response.body#/id"
        ),
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses={status.HTTP_201_CREATED: KEY_LINKS},
)
def create_api_key(body: ApiKeyCreate, scope: AdminScope, settings: AppSettings) -> ApiKeyCreated:
    api_key, secret = repo.create(
        scope.session,
        scope.tenant.id,
        name=body.name,
        role=body.role,
        max_active=settings.api_keys_max_active,
    )
    scope.session.refresh(api_key)
    return ApiKeyCreated(**ApiKeyOut.model_validate(api_key).model_dump(), key=secret)


@router.get("", response_model=ApiKeyPage)
def list_api_keys(scope: AdminScope, page: PageParams) -> ApiKeyPage:
    keys, total = repo.list_keys(
        scope.session, scope.tenant.id, limit=page.limit, offset=page.offset
    )
    return ApiKeyPage(
        items=[ApiKeyOut.model_validate(k) for k in keys],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_api_key(key_id: ApiKeyId, scope: AdminScope) -> Response:
    repo.revoke(scope.session, scope.tenant.id, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
