"""The support inbox: every conversation, filterable (handed off, mine, unassigned, by business); a
conversation's page with the customer's panel beside it and canned replies; picking one up, assigning it to
an agent, replying as the agent, and handing it back to the assistant. Only the agent handling a conversation
replies in it, assigns it or hands it back; an admin may take it over (audited) and then do the same. A
refused reply keeps what was typed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from channels.api.deps import DbDep, SettingsDep
from channels.console.auth import PostDep, SessionDep, require_agent, viewer
from channels.console.canned import canned_replies, canned_text
from channels.console.sessions import ConsoleSession
from channels.console.web import ConsoleRoute, redirect, render
from network import listings
from network.db import Database
from network.directory import MAX_QUERY
from network.errors import Layer8Error
from network.models import Role
from network.operator_views import customer_panel, money
from network.services import handoffs
from network.services.handoffs import MAX_REPLY, Handoffs, messages

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
PAGE_SIZE = 25
View = Literal["handed_off", "all"]
Who = Literal["any", "mine", "unassigned"]


@router.get("/handoffs")
def inbox(
    request: Request,
    session: SessionDep,
    db: DbDep,
    settings: SettingsDep,
    view: View = "handed_off",
    who: Who = "any",
    business: Annotated[str | None, Query(max_length=MAX_QUERY)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    with db.read() as db_session:
        page = listings.conversations(
            db_session,
            handed_off=view == "handed_off",
            agent_id=session.agent_id if who == "mine" else None,
            unassigned=who == "unassigned",
            business=business,
            tenant=settings.tenant,
            limit=PAGE_SIZE,
            offset=offset,
        )
        names = listings.names(db_session, (c.subscriber_id for c in page.rows))
        return render(
            request,
            "handoffs.html",
            page=page,
            names=names,
            filters={"view": view, "who": who, "business": business or ""},
        )


@router.get("/handoffs/waiting")
def waiting(session: SessionDep, db: DbDep, settings: SettingsDep) -> JSONResponse:
    """How many conversations wait for an agent (the navigation's count; the page polls it)."""
    with db.read() as db_session:
        page = listings.conversations(db_session, handed_off=True, tenant=settings.tenant, limit=100)
        ids = [c.id for c in page.rows]
        unassigned = sum(c.agent_id is None for c in page.rows)
    body = {"waiting": page.total, "unassigned": unassigned, "ids": ids}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/conversations/{conversation_id}")
def conversation(
    request: Request,
    conversation_id: Id,
    session: SessionDep,
    db: DbDep,
    settings: SettingsDep,
    reply: Annotated[str | None, Query(max_length=60)] = None,
) -> Response:
    return _conversation_page(
        request, db, settings.tenant, session, conversation_id, typed=canned_text(reply)
    )


def _conversation_page(
    request: Request,
    db: Database,
    tenant: str,
    session: ConsoleSession,
    conversation_id: str,
    *,
    typed: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    with db.read() as db_session:
        found = handoffs.conversation(db_session, conversation_id)
        panel = customer_panel(db_session, found.subscriber_id, viewer=viewer(session), tenant=tenant)
        queue = listings.conversations(db_session, handed_off=True, tenant=tenant, limit=100).rows
        return render(
            request,
            "conversation.html",
            status,
            conversation=found,
            card=panel.view,
            panel=panel,
            money=money,
            messages=messages(db_session, conversation_id),
            max_reply=MAX_REPLY,
            canned=canned_replies(),
            agents=listings.agents(db_session),
            typed=typed,
            error=error,
            **_neighbours([c.id for c in queue], conversation_id),
        )


def _neighbours(ids: list[str], current: str) -> dict[str, str | None]:
    """The waiting conversations after and before ``current`` in the queue (wrapping round), for the
    ``j`` / ``k`` shortcuts; both None when no other conversation waits."""
    others = [i for i in ids if i != current]
    if not others:
        return {"next_id": None, "previous_id": None}
    at = ids.index(current) if current in ids else len(ids)
    after = [i for i in ids[at + 1 :] if i != current]
    before = [i for i in ids[:at] if i != current]
    return {"next_id": (after or others)[0], "previous_id": (before or others)[-1]}


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


@router.post("/conversations/{conversation_id}/assign")
async def assign(
    conversation_id: Id,
    session: PostDep,
    db: DbDep,
    agent: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    await run_in_threadpool(_staff(db, session).assign, conversation_id, agent)
    return redirect(_page(conversation_id), "assigned")


@router.post("/conversations/{conversation_id}/reply")
async def reply(
    request: Request,
    conversation_id: Id,
    session: PostDep,
    db: DbDep,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=MAX_REPLY)] = "",
) -> Response:
    try:
        await run_in_threadpool(_staff(db, session).reply, conversation_id, text)
    except Layer8Error as exc:  # the page again, with the reply still in the box and the reason above it
        return await run_in_threadpool(
            _conversation_page,
            request,
            db,
            settings.tenant,
            session,
            conversation_id,
            typed=text,
            error=exc.message,
            status=exc.status,
        )
    return redirect(_page(conversation_id), "replied")


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(conversation_id: Id, session: PostDep, db: DbDep) -> Response:
    await run_in_threadpool(_staff(db, session).hand_back, conversation_id)
    return redirect(_page(conversation_id), "handed_back")
