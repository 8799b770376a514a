from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import get_db
from app.json_body import StrictJsonRoute
from app.schemas import ErrorBody, HealthOut

router = APIRouter(prefix="/health", tags=["health"], route_class=StrictJsonRoute)


@router.get("", response_model=HealthOut)
async def liveness() -> HealthOut:
    """The process answers. Says nothing about the database, on purpose.

    Async: it runs on the event loop and needs no worker thread, so it answers even
    when every thread waits on the database or the e-mail provider.
    """
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
