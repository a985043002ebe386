"""``GET /v1/chat/events/{event_id}/calendar.ics``: the web chat's download of an event's calendar file, next
to the Going / Can't go buttons, with the chat's own session (an event they were invited to, or one open
to everyone in their network)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from channels.api.calendar import calendar_response
from channels.api.problems import PROBLEM_RESPONSES
from channels.runtime import RuntimeDep
from channels.web.auth import ChatSubscriberDep
from network import event_calendar
from network.db import Database
from network.errors import NotFound
from network.models import Event, EventState, Subscriber
from network.services import events

router = APIRouter(prefix="/v1/chat", tags=["chat"], responses=PROBLEM_RESPONSES)


def _file(db: Database, event_id: str, subscriber_id: str) -> tuple[bytes, str]:
    with db.read() as session:
        event = session.get(Event, event_id)
        me = session.get(Subscriber, subscriber_id)
        invited = event is not None and events.invitation(session, event.id, subscriber_id) is not None
        open_to_me = event is not None and me is not None and event.tenant == me.tenant
        if event is None or not (invited or (open_to_me and event.state == EventState.OPEN)):
            raise NotFound("no such event")
        return event_calendar.ics(event), event_calendar.filename(event)


@router.get(
    "/events/{event_id}/calendar.ics",
    summary="An event's calendar file, for the signed-in web chat",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "The .ics file"}},
)
async def chat_calendar_file(event_id: str, principal: ChatSubscriberDep, runtime: RuntimeDep) -> Response:
    body, name = await run_in_threadpool(_file, runtime.db, event_id, str(principal.subscriber_id))
    return calendar_response(body, name)
