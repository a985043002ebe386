"""The console's events page: create an event, see whom it would invite and why, invite, follow the answers,
check guests in at the desk, and close it (which suggests the one-to-ones)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from channels.api.deps import ContainerDep, DbDep, SettingsDep
from channels.console.auth import PostDep, SessionDep, viewer
from channels.console.web import ConsoleRoute, redirect, render
from network.errors import InvalidInput
from network.services import events, one_to_ones
from retrieval import event_invites
from tools import event_words

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/events")
def events_page(
    request: Request, session: SessionDep, db: DbDep, settings: SettingsDep, code: str | None = None
) -> Response:
    with db.read() as db_session:
        rows = [
            {
                "event": e,
                "when": event_words.when(e),
                "where": event_words.where(e),
                "answers": events.counts(db_session, e.id),
            }
            for e in events.all_events(db_session, tenant=settings.tenant)
        ]
        return render(request, "events.html", rows=rows, code=code)


@router.post("/events")
async def create_event(request: Request, session: PostDep, db: DbDep, settings: SettingsDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    where = form.get("where", "").strip()
    online = where.startswith(("https://", "http://"))
    new = events.NewEvent(
        title=form.get("title", ""),
        starts_at=events.typed_start(form.get("starts", ""), form.get("time_zone") or "UTC"),
        capacity=_int(form.get("capacity", "")),
        time_zone=form.get("time_zone") or "UTC",
        place=None if online or not where else where,
        online_url=where if online else None,
        description=form.get("description") or None,
        audience={"region": form.get("region") or None},
    )
    with db.transaction(viewer(session)) as db_session:
        by = f"console:{session.agent_id}"
        event, code = events.create(db_session, new, created_by=by, tenant=settings.tenant)
    return redirect(f"/console/events/{event.id}?code={code}")


@router.get("/events/{event_id}")
def event_page(
    request: Request, event_id: Id, session: SessionDep, container: ContainerDep, code: str | None = None
) -> Response:
    with container.db.read() as db_session:
        event = events.require(db_session, event_id)
        rows = events.invitations(db_session, event_id)
        names = events.names(db_session, [r.subscriber_id for r in rows])
        invited = [_row(r, names) for r in rows]
        came = events.attendees(db_session, event_id)
        pairs = sum(len(one_to_ones.for_attendee(db_session, event_id, s)) for s in came) // 2 if came else 0
        context: dict[str, Any] = {
            "event": event,
            "when": event_words.when(event),
            "where": event_words.where(event),
            "answers": events.counts(db_session, event_id),
            "invited": invited,
            "code": code,
            "one_to_ones": pairs,
        }
        return render(request, "event.html", **context)


@router.post("/events/{event_id}/invite")
async def invite(event_id: Id, session: PostDep, container: ContainerDep) -> Response:
    planned = await run_in_threadpool(event_invites.plan, container.db, container.matcher, event_id)
    with container.db.transaction(viewer(session)) as db_session:
        events.invite(db_session, event_id, planned)
    return redirect(f"/console/events/{event_id}", "event_invited")


@router.post("/events/{event_id}/checkin/{subscriber_id}")
def checkin(event_id: Id, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    with db.transaction(viewer(session)) as db_session:
        events.check_in(db_session, event_id, subscriber_id, by=f"operator:{session.agent_id}")
    return redirect(f"/console/events/{event_id}", "checked_in")


@router.post("/events/{event_id}/close")
async def close(event_id: Id, session: PostDep, container: ContainerDep) -> Response:
    with container.db.transaction(viewer(session)) as db_session:
        events.close(db_session, event_id)
        came = events.attendees(db_session, event_id)
    pairs = await run_in_threadpool(event_invites.pairings, container.matcher, came)
    with container.db.transaction(viewer(session)) as db_session:
        one_to_ones.suggest(db_session, event_id, pairs)
    return redirect(f"/console/events/{event_id}", "event_closed")


def _row(row: Any, names: dict[str, str]) -> dict[str, Any]:
    return {
        "subscriber_id": row.subscriber_id,
        "business_name": names.get(row.subscriber_id, row.subscriber_id),
        "state": row.state,
        "score": row.score,
        "meets": list(row.reasons or []),
    }


def _int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput("capacity must be a whole number") from None
