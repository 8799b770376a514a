from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import get_db
from app.json_body import StrictJsonRoute
from app.schemas import ErrorBody, HealthOut

router = APIRouter(prefix="/health", tags=["health"], route_class=StrictJsonRoute)


@router.get("", response_model=HealthOut)
def liveness() -> HealthOut:
    """The process answers. Says nothing about the database, on purpose."""
    return HealthOut(status="ok")


@router.get(
    "/ready",
    response_model=HealthOut,
    responses={503: {"model": ErrorBody, "description": "Not ready"}},
)
def readiness(session: Annotated[Session, Depends(get_db)]) -> HealthOut:
    """Ready to serve: the database answers. A failure becomes a 503 in app.errors."""
    session.execute(text("SELECT 1"))
    return HealthOut(status="ok")
