"""``GET /v1/me``: who the bearer is, and for a subscriber (or an agent in a case) whom it acts for."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from channels.api.auth import PrincipalDep
from channels.api.deps import SessionDep, SettingsDep
from channels.api.problems import PROBLEM_RESPONSES
from channels.ports import Parts
from network import directory
from network.directory import SubscriberView

router = APIRouter(prefix="/v1", tags=["identity"], responses=PROBLEM_RESPONSES)


class Me(BaseModel):
    role: str
    subscriber_id: str | None
    agent_id: str | None
    case_id: str | None
    token_id: str | None
    subscriber: SubscriberView | None


@router.get("/me", response_model=Me, summary="The authenticated principal")
def me(principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Me:
    subscriber = None
    if principal.subscriber_id:
        subscriber = directory.get_subscriber(
            session, principal.subscriber_id, viewer=principal.actor, tenant=settings.tenant
        )
    return Me(
        role=principal.role.value,
        subscriber_id=principal.subscriber_id,
        agent_id=principal.agent_id,
        case_id=principal.case_id,
        token_id=principal.token_id,
        subscriber=subscriber,
    )


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
