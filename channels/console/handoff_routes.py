"""The handoff queue: conversations the assistant passed to a person, a conversation's page, replying as
the agent, and handing the conversation back to the assistant. Only the agent handling a conversation
replies in it or hands it back; an admin may take it over (audited) and then do both."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from channels.api.deps import DbDep, SettingsDep
from channels.console.auth import PostDep, SessionDep, require_agent
from channels.console.sessions import ConsoleSession
from channels.console.web import ConsoleRoute, redirect, render
from network import directory
from network.db import Database
from network.models import Role
from network.services import handoffs
from network.services.handoffs import MAX_REPLY, Handoffs, messages, queue

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/handoffs")
def handoff_queue(request: Request, session: SessionDep, db: DbDep, settings: SettingsDep) -> Response:
    with db.read() as db_session:
        items = queue(db_session, settings.tenant)
    return render(request, "handoffs.html", items=items)


@router.get("/conversations/{conversation_id}")
def conversation(
    request: Request, conversation_id: Id, session: SessionDep, db: DbDep, settings: SettingsDep
) -> Response:
    tenant = settings.tenant
    with db.read() as db_session:
        found = handoffs.conversation(db_session, conversation_id)
        card = directory.subscriber_card(db_session, found.subscriber_id, tenant=tenant)
        return render(
            request,
            "conversation.html",
            conversation=found,
            card=card,
            messages=messages(db_session, conversation_id),
            max_reply=MAX_REPLY,
        )


def _page(conversation_id: str) -> str:
    return f"/console/conversations/{conversation_id}"


def _staff(db: Database, session: ConsoleSession) -> Handoffs:
    """An agent acts on the conversations they handle; an admin on the ones they took over."""
    if session.is_agent:
        return Handoffs(db, require_agent(session))
    return Handoffs(db, session.agent_id, role=Role.ADMIN)


@router.post("/conversations/{conversation_id}/pick-up")
async def pick_up(conversation_id: Id, session: PostDep, db: DbDep) -> Response:
    await run_in_threadpool(Handoffs(db, require_agent(session)).pick_up, conversation_id)
    return redirect(_page(conversation_id), "picked_up")


@router.post("/conversations/{conversation_id}/take-over")
async def take_over(conversation_id: Id, session: PostDep, db: DbDep) -> Response:
    await run_in_threadpool(_staff(db, session).take_over, conversation_id)
    return redirect(_page(conversation_id), "taken_over")


@router.post("/conversations/{conversation_id}/reply")
async def reply(
    conversation_id: Id,
    session: PostDep,
    db: DbDep,
    text: Annotated[str, Form(max_length=MAX_REPLY)] = "",
) -> Response:
    await run_in_threadpool(_staff(db, session).reply, conversation_id, text)
    return redirect(_page(conversation_id), "replied")


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(conversation_id: Id, session: PostDep, db: DbDep) -> Response:
    await run_in_threadpool(_staff(db, session).hand_back, conversation_id)
    return redirect(_page(conversation_id), "handed_back")
