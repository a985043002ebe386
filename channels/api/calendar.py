"""``GET /v1/events/{event_id}/calendar.ics?t=TOKEN``: an event's calendar file, the link invitations carry
on Slack and WhatsApp (see :mod:`network.event_calendar`). No sign-in: the token is the key; a wrong one is a
404, as for an event that does not exist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from channels.api.problems import PROBLEM_RESPONSES
from channels.ports import Parts
from channels.runtime import RuntimeDep
from network import event_calendar
from network.db import Database
from network.errors import NotFound
from network.models import Event

router = APIRouter(prefix="/v1/events", tags=["events"], responses=PROBLEM_RESPONSES)
ICS = event_calendar.MEDIA_TYPE


def calendar_response(body: bytes, name: str) -> Response:
    return Response(body, media_type=ICS, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _file(db: Database, event_id: str, token: str) -> tuple[bytes, str]:
    with db.read() as session:
        event = session.get(Event, event_id)
        if event is None or not event_calendar.token_matches(event, token):
            raise NotFound("no such event")
        return event_calendar.ics(event), event_calendar.filename(event)


@router.get(
    "/{event_id}/calendar.ics",
    summary="An event's calendar file (the link in an invitation)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "The .ics file"}},
)
async def calendar_file(
    event_id: str, runtime: RuntimeDep, t: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    body, name = await run_in_threadpool(_file, runtime.db, event_id, t)
    return calendar_response(body, name)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
