"""``/v1/handoffs``: conversations the assistant handed to a person — the queue (staff), and for agents:
pick one up, reply as the agent (delivered to the subscriber's chat), hand it back to the assistant.
Rules: :class:`network.services.handoffs.Handoffs`, the same as the console's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from channels.api.auth import PrincipalDep, StaffDep
from channels.api.deps import DbDep, SettingsDep
from channels.api.idempotency import KeyDep, respond_once
from channels.api.paging import ID_PATTERN, ListDep, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.schemas import Handoff
from channels.ports import Parts
from network import listing
from network.errors import NotFound, PermissionDenied
from network.models import Conversation, Role, Subscriber
from network.services.handoffs import HANDED_OFF, MAX_REPLY, Handoffs
from network.tokens import Principal

router = APIRouter(prefix="/v1/handoffs", tags=["handoffs"], responses=PROBLEM_RESPONSES)
ConversationId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]


class Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_REPLY)


class Replied(BaseModel):
    conversation_id: str
    message_id: str


@router.get(
    "", response_model=Page[Handoff], summary="Handed-off conversations (state: assigned, unassigned)"
)
def list_handoffs(staff: StaffDep, db: DbDep, settings: SettingsDep, params: ListDep) -> Any:
    with db.read() as session:
        found = listing.handoffs_page(
            session, settings.tenant, params.filters, limit=params.limit, cursor=params.cursor
        )
        return {"data": [_view(session, c) for c in found.rows], "next_cursor": found.next_cursor}


@router.get("/{conversation_id}", response_model=Handoff, summary="One handed-off conversation")
def get_handoff(conversation_id: ConversationId, staff: StaffDep, db: DbDep, settings: SettingsDep) -> Any:
    with db.read() as session:
        conversation = session.get(Conversation, conversation_id)
        subscriber = session.get(Subscriber, conversation.subscriber_id) if conversation else None
        if conversation is None or subscriber is None or subscriber.tenant != settings.tenant:
            raise NotFound(f"no conversation {conversation_id!r}")
        if conversation.mode != HANDED_OFF:
            raise NotFound(f"conversation {conversation_id!r} is not handed off")
        return _view(session, conversation)


@router.post(
    "/{conversation_id}/pick-up", response_model=Handoff, responses=ACTION_RESPONSES, summary="Take it"
)
def pick_up(
    conversation_id: ConversationId, principal: PrincipalDep, db: DbDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    handoffs = Handoffs(db, _agent(principal))
    with handoffs.writing(conversation_id) as (session, conversation):

        def effect() -> dict[str, Any]:
            handoffs.pick_up_in(session, conversation)
            return _view(session, conversation)

        return respond_once(session, principal, request, key, effect)


@router.post(
    "/{conversation_id}/reply",
    response_model=Replied,
    status_code=201,
    responses=ACTION_RESPONSES,
    summary="Reply as the agent (sent to the subscriber's chat)",
)
def reply(
    conversation_id: ConversationId,
    body: Reply,
    principal: PrincipalDep,
    db: DbDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    handoffs = Handoffs(db, _agent(principal))
    with handoffs.writing(conversation_id) as (session, conversation):

        def effect() -> dict[str, Any]:
            message_id = handoffs.reply_in(session, conversation, body.text)
            return {"conversation_id": conversation.id, "message_id": message_id}

        return respond_once(session, principal, request, key, effect, body=body, status=201)


@router.post(
    "/{conversation_id}/hand-back",
    response_model=Handoff,
    responses=ACTION_RESPONSES,
    summary="Give the conversation back to the assistant",
)
def hand_back(
    conversation_id: ConversationId, principal: PrincipalDep, db: DbDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    handoffs = Handoffs(db, _agent(principal))
    with handoffs.writing(conversation_id) as (session, conversation):

        def effect() -> dict[str, Any]:
            handoffs.hand_back_in(session, conversation)
            return _view(session, conversation)

        return respond_once(session, principal, request, key, effect)


def _agent(principal: Principal) -> str:
    if principal.role is not Role.AGENT or principal.agent_id is None:
        raise PermissionDenied("handoffs are answered by support agents")
    return principal.agent_id


def _view(session: Any, conversation: Conversation) -> dict[str, Any]:
    subscriber = session.get(Subscriber, conversation.subscriber_id)
    return {
        "conversation_id": conversation.id,
        "subscriber_id": conversation.subscriber_id,
        "business_name": subscriber.business_name if subscriber else "",
        "channel": conversation.channel,
        "reason": conversation.handoff_reason,
        "summary": conversation.summary,
        "agent_id": conversation.agent_id,
        "updated_at": conversation.updated_at,
    }


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
