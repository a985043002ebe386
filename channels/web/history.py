"""``GET /v1/chat/messages``: what was said in one of the subscriber's own web chat threads.

On load the page asks for the newest messages (``after=0``) and redraws them as they were: a reply's list
of suggested businesses, its feedback choice, and the Confirm / Cancel buttons of a pending action that is
still waiting for an answer. Web chat has no push, so the page then asks for what arrived after the last
message it saw (``after``, a sequence number) — that is how a support agent's reply from the console reaches
a handed-off web chat. Tool results are never returned; only the subscriber's own conversation is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from assistant.replies import confirm_buttons
from channels.runtime import RuntimeDep
from channels.web.auth import ChatSubscriberDep
from network import conversations
from network.db import Database
from network.ids import utcnow
from network.models import Message, PendingAction, PendingActionState
from tools import phrases

SHOWN_ROLES = ("user", "assistant", "agent")
LIMIT = 100
PRESSED = {
    "[button: confirm]": phrases.CONFIRM_LABEL,
    "[button: cancel]": phrases.CANCEL_LABEL,
    "[button: accept_intro]": phrases.ACCEPT_LABEL,
    "[button: decline_intro]": phrases.DECLINE_LABEL,
    "[button: rsvp]": phrases.GOING_LABEL + " / " + phrases.NOT_GOING_LABEL,
    "[button: meet]": phrases.MEET_BUTTON_SHOWN,
}


class HistoryButton(BaseModel):
    label: str
    action: str
    style: str


class ThreadMessage(BaseModel):
    seq: int
    role: str
    text: str
    at: datetime
    message_id: str | None = None  # a reply's feedback id
    feedback: int | None = None  # the person's 👍 (1) / 👎 (-1), once given
    buttons: list[HistoryButton] = Field(default_factory=list)  # only while the action is still open
    items: list[dict[str, str]] = Field(default_factory=list)


class ThreadMessages(BaseModel):
    thread: str
    mode: str  # "assistant", or "handed_off" while a person from support is answering
    last_seq: int  # the thread's newest message, shown or not: the next ``after``
    messages: list[ThreadMessage]


def thread_messages(db: Database, subscriber_id: str, thread: str, after: int) -> ThreadMessages:
    key = f"web:{subscriber_id}:{thread}"
    with db.read() as session:
        conversation = conversations.find_thread(session, "web", key, subscriber_id)
        if conversation is None:
            return ThreadMessages(thread=thread, mode="assistant", last_seq=0, messages=[])
        if after:
            rows = conversations.messages_after(session, conversation.id, after, SHOWN_ROLES, LIMIT)
        else:
            rows = conversations.latest_messages(session, conversation.id, SHOWN_ROLES, LIMIT)
        last = conversations.last_seq(session, conversation.id)
        return ThreadMessages(
            thread=thread,
            mode=conversation.mode,
            last_seq=last or 0,
            messages=[_shown(session, m) for m in rows],
        )


def _shown(session: Session, m: Message) -> ThreadMessage:
    shown = ThreadMessage(seq=m.seq, role=m.role, text=PRESSED.get(m.content, m.content), at=m.at)
    if m.role != "assistant":
        return shown
    if m.external_id and m.external_id.startswith("web_"):
        shown.message_id, shown.feedback = m.external_id, m.feedback
    shown.items = _items(m.tool_calls or [])
    action_id = conversations.proposed_action(m)
    if action_id and _still_open(session.get(PendingAction, action_id)):
        shown.buttons = [
            HistoryButton(label=b.label, action=b.action.encode(), style=b.style)
            for b in confirm_buttons(action_id)
        ]
    return shown


def _items(calls: list[Any]) -> list[dict[str, str]]:
    for call in calls:
        if isinstance(call, dict) and isinstance(call.get("items"), list):
            return [{k: str(v) for k, v in item.items()} for item in call["items"] if isinstance(item, dict)]
    return []


def _still_open(action: PendingAction | None) -> bool:
    if action is None or action.state != PendingActionState.PENDING.value:
        return False
    return action.expires_at is None or action.expires_at > utcnow()


router = APIRouter(prefix="/v1/chat", tags=["chat"])


@router.get("/messages", response_model=ThreadMessages, summary="Messages of one of your web threads")
async def messages(
    principal: ChatSubscriberDep,
    runtime: RuntimeDep,
    thread: Annotated[str, Query(pattern=r"^[A-Za-z0-9_.:-]{1,80}$")] = "main",
    after: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> ThreadMessages:
    assert principal.subscriber_id is not None
    return await run_in_threadpool(thread_messages, runtime.db, principal.subscriber_id, thread, after)
