"""A subscriber's own data rights: ``GET /v1/me/export`` (GDPR Art. 20) and ``POST /v1/me/erasure`` (Art. 17).

An erasure request waits for an admin (console or ``layer8 subscribers erase``) unless the operator set
``LAYER8_ERASURE_IMMEDIATE``; then it runs at once and the token stops working.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Response
from pydantic import BaseModel

from channels.api.auth import SubscriberDep
from channels.api.deps import ContainerDep, DbDep, SessionDep, SettingsDep
from channels.api.problems import PROBLEM_RESPONSES
from channels.ports import Parts
from network.services import erasure_requests
from network.services.export import export_subscriber

router = APIRouter(prefix="/v1/me", tags=["privacy"], responses=PROBLEM_RESPONSES)


class ErasureStatus(BaseModel):
    request_id: str
    state: str  # "pending" (an admin approves it) | "done"
    requested_at: datetime
    verified: bool | None = None  # done: whether no trace was found in any store afterwards


@router.get("/export", summary="Everything Layer8 holds about me, as JSON")
def export_me(principal: SubscriberDep, session: SessionDep) -> dict[str, Any]:
    assert principal.subscriber_id is not None
    return export_subscriber(session, principal.subscriber_id)


@router.post(
    "/erasure",
    response_model=ErasureStatus,
    status_code=202,
    summary="Ask to be erased",
    responses={200: {"model": ErasureStatus, "description": "Erased at once (operator setting)"}},
)
def request_erasure(
    principal: SubscriberDep,
    db: DbDep,
    settings: SettingsDep,
    container: ContainerDep,
    response: Response,
    reading: SessionDep,
) -> ErasureStatus:
    subscriber_id = principal.subscriber_id
    assert subscriber_id is not None
    with db.transaction(principal.actor) as session:
        row = erasure_requests.request_erasure(session, subscriber_id, principal.actor.label)
        status = ErasureStatus(request_id=row.id, state=row.state, requested_at=row.requested_at)
    if not settings.erasure_immediate:
        return status
    # end this request's read snapshot (taken to authenticate): on SQLite an open reader would keep the
    # erased rows' old pages in the WAL, which the erasure checkpoints and truncates
    reading.rollback()
    report = container.eraser.erase(subscriber_id, actor=principal.actor, reason="subscriber request")
    response.status_code = 200
    return status.model_copy(update={"state": "done", "verified": report.verified})


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
