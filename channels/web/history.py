"""``GET /v1/chat/messages``: what was said in one of the subscriber's own web chat threads.

Web chat has no push, so the page asks for what arrived after the last message it saw (``after``, a
sequence number) — that is how a support agent's reply from the console reaches a handed-off web chat.
Tool results are never returned; only the subscriber's own conversation is ever read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from channels.api.auth import SubscriberDep
from channels.runtime import RuntimeDep
from network import conversations
from network.db import Database

SHOWN_ROLES = ("user", "assistant", "agent")
LIMIT = 100


class ThreadMessage(BaseModel):
    seq: int
    role: str
    text: str
    at: datetime


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
        rows = conversations.messages_after(session, conversation.id, after, SHOWN_ROLES, LIMIT)
        last = conversations.last_seq(session, conversation.id)
        return ThreadMessages(
            thread=thread,
            mode=conversation.mode,
            last_seq=last or 0,
            messages=[ThreadMessage(seq=m.seq, role=m.role, text=m.content, at=m.at) for m in rows],
        )


router = APIRouter(prefix="/v1/chat", tags=["chat"])


@router.get("/messages", response_model=ThreadMessages, summary="Messages of one of your web threads")
async def messages(
    principal: SubscriberDep,
    runtime: RuntimeDep,
    thread: Annotated[str, Query(pattern=r"^[A-Za-z0-9_.:-]{1,80}$")] = "main",
    after: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> ThreadMessages:
    assert principal.subscriber_id is not None
    return await run_in_threadpool(thread_messages, runtime.db, principal.subscriber_id, thread, after)
