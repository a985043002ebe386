"""``POST /v1/chat`` and ``POST /v1/chat/stream`` (Server-Sent Events), and ``POST /v1/chat/feedback``.

The verified identity is the web chat's session cookie (a one-time sign-in code, :mod:`channels.web.session`)
or a subscriber's bearer token (integrations); no linking is needed. ``{"message": ..., "thread": ...}``
or ``{"action": "confirm:act_…", "thread": ...}`` → ``{"reply", "tool_calls", "pending_action", "buttons",
"items", "thread", "message_id"}`` — the shape of ``layer8 ask --json`` plus what a page needs for buttons.
The stream sends ``event: delta`` with text chunks, then one ``event: reply`` with that same JSON. A button
pressed on the web chat's digest also names it (``"digest"``), which marks it acted on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from assistant.messages import ACTION_KINDS, Action, InboundMessage, OutboundReply
from channels.api.rate_limits import RateLimitsDep
from channels.options import choices_of
from channels.ports import Parts
from channels.runtime import ChannelRuntime, RuntimeDep
from channels.web import calendar, history, session
from channels.web import digest as web_digest
from channels.web.auth import ChatSubscriberDep
from network.db import Database
from network.errors import InvalidInput, Layer8Error, NotFound
from network.services import feedback
from network.tokens import Principal
from tools import phrases

logger = logging.getLogger(__name__)


# Python's str.strip() whitespace, spelled out (JSON Schema's \s differs): a message needs one other character
_NOT_BLANK = "[^\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_ACTION = "^(" + "|".join(ACTION_KINDS) + "):"  # what Action.decode accepts: a known kind, then its target
# "send a message or an action", stated in the schema too
_SOMETHING: JsonDict = {
    "anyOf": [
        {"required": ["message"], "properties": {"message": {"type": "string", "pattern": _NOT_BLANK}}},
        {"required": ["action"], "properties": {"action": {"type": "string", "minLength": 1}}},
    ]
}


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_SOMETHING)

    message: str = Field(default="", max_length=4000)
    thread: str = Field(default="main", pattern=r"^[A-Za-z0-9_.:-]{1,80}$")
    action: str | None = Field(
        default=None, max_length=300, pattern=_ACTION, description="a button's encoded action"
    )
    digest: str | None = Field(
        default=None, pattern=web_digest.REF, description="the web digest the pressed button was on"
    )

    @model_validator(mode="after")
    def _something(self) -> ChatRequest:
        if not self.message.strip() and not self.action:
            raise ValueError("send a message or an action")
        return self


class ChatButton(BaseModel):
    label: str
    action: str
    style: str


class ChatReply(BaseModel):
    reply: str
    tool_calls: list[dict[str, Any]]
    pending_action: dict[str, Any] | None
    buttons: list[ChatButton]
    items: list[dict[str, str]]
    thread: str
    message_id: str | None
    error_code: str | None = None


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(pattern=r"^web_[0-9a-f]{32}$")
    score: int = Field(ge=-1, le=1)


def inbound(principal: Principal, body: ChatRequest) -> InboundMessage:
    action = Action.decode(body.action) if body.action else None
    if body.action and action is None:
        raise InvalidInput("unknown action")
    assert principal.subscriber_id is not None
    return InboundMessage(
        channel="web",
        thread_key=f"web:{principal.subscriber_id}:{body.thread}",
        subscriber_id=principal.subscriber_id,
        text=body.message.strip(),
        action=action,
        external_user=principal.subscriber_id,
        message_id=uuid.uuid4().hex,
        in_reply_to=body.digest if action is not None else None,
    )


def present(db: Database, msg: InboundMessage, reply: OutboundReply, thread: str) -> ChatReply:
    message_id = None
    if reply.error_code is None:
        message_id = f"web_{uuid.uuid4().hex}"
        feedback.remember_reply(db, "web", msg.thread_key, message_id)
    return ChatReply(
        reply=reply.text,
        tool_calls=[asdict(call) for call in reply.tool_calls],
        pending_action=reply.pending_action,
        buttons=[ChatButton(label=b.label, action=b.action.encode(), style=b.style) for b in reply.buttons],
        items=[asdict(item) for item in reply.items],
        thread=thread,
        message_id=message_id,
        error_code=reply.error_code,
    )


router = APIRouter(prefix="/v1/chat", tags=["chat"])


def a_turn(principal: ChatSubscriberDep, limits: RateLimitsDep) -> Principal:
    """The subscriber asking for a turn, counted against their turns limit (each turn is a model call)."""
    limits.hit("turns", principal.subscriber_id or "")
    return principal


TurnDep = Annotated[Principal, Depends(a_turn)]


@router.post("", response_model=ChatReply, summary="One turn with the assistant")
async def chat(body: ChatRequest, principal: TurnDep, runtime: RuntimeDep) -> ChatReply:
    msg = inbound(principal, body)
    await run_in_threadpool(web_digest.acted, runtime.db, msg)
    reply = await run_in_threadpool(runtime.turns.ask, msg)
    return await run_in_threadpool(present, runtime.db, msg, reply, body.thread)


@router.post(
    "/stream",
    summary="One turn, streamed as Server-Sent Events (delta…, then reply)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "`event: delta` lines with text as it is written, then one `event: reply`",
            "content": {"text/event-stream": {}},
        }
    },
)
async def chat_stream(body: ChatRequest, principal: TurnDep, runtime: RuntimeDep) -> StreamingResponse:
    msg = inbound(principal, body)
    await run_in_threadpool(web_digest.acted, runtime.db, msg)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _events(runtime, msg, body.thread), media_type="text/event-stream", headers=headers
    )


@router.post(
    "/feedback",
    status_code=204,
    summary="👍 (1) or 👎 (-1) on a reply",
    responses={404: {"description": "No such reply of yours (`not_found`)"}},
)
async def chat_feedback(body: FeedbackRequest, principal: ChatSubscriberDep, runtime: RuntimeDep) -> None:
    await run_in_threadpool(_own_feedback, runtime, principal, body)


def _own_feedback(runtime: ChannelRuntime, principal: Principal, body: FeedbackRequest) -> None:
    if not feedback.record(
        runtime.db, "web", body.message_id, body.score, thread_prefix=f"web:{principal.subscriber_id}:"
    ):
        raise NotFound("no such reply of yours")


async def _events(runtime: ChannelRuntime, msg: InboundMessage, thread: str) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[str | OutboundReply | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def produce() -> None:
        for part in _safe_stream(runtime, msg):
            loop.call_soon_threadsafe(queue.put_nowait, part)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    worker = loop.run_in_executor(None, produce)
    while (part := await queue.get()) is not None:
        if isinstance(part, str):
            yield _sse("delta", {"text": part})
        else:
            shown = await run_in_threadpool(present, runtime.db, msg, part, thread)
            yield _sse("reply", shown.model_dump())
    await worker


def _safe_stream(runtime: ChannelRuntime, msg: InboundMessage) -> Iterator[str | OutboundReply]:
    """The assistant's stream; a failure ends it with a polite final reply instead of a broken stream."""
    try:
        final = None
        for part in runtime.container.assistant.stream(msg):
            if isinstance(part, OutboundReply):
                final = part
            yield part
        if final is None:
            yield OutboundReply(phrases.MODEL_EMPTY, error_code="empty_reply")
        else:
            runtime.options.remember(msg.thread_key, choices_of(final))
    except Layer8Error as exc:
        yield OutboundReply(phrases.ACTION_FAILED.format(reason=exc.message), error_code=exc.code)
    except Exception:
        logger.exception("streamed web turn failed")
        yield OutboundReply(phrases.MODEL_ERROR, error_code="internal_error")


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
    app.include_router(history.router)
    app.include_router(calendar.router)
    app.include_router(web_digest.router)
    app.include_router(session.router)
