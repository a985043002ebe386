"""The TMF629 notification listener: the operator's hub tells us of customer changes between syncs.

Routes are the spec's own client-side paths under our base path :data:`BASE` —
``/bss/tmf629/listener/customerCreateEvent``, ``…/customerAttributeValueChangeEvent``,
``…/customerStateChangeEvent`` and ``…/customerDeleteEvent`` — registered with the hub by
``layer8 subscribers listen --callback https://<us>/bss/tmf629``. Each body is checked against the spec's
event definition; an event applied before (same ``eventId``) is acknowledged and changes nothing.
The hub authenticates with ``Authorization: Bearer <LAYER8_BSS_LISTENER_TOKEN>``; outside development an
unset token refuses every event.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from channels.ports import Parts
from network.errors import InvalidInput, Layer8Error, Unauthenticated
from ossbss.tmf.customers import EVENT_TYPES, definition_of
from ossbss.tmf.schemas import Api, errors

BASE = "/bss/tmf629"


class EventSink(Protocol):
    """``ossbss.memberships.MembershipSync``: apply one TMF629 event (``None``: applied before)."""

    def on_event(self, event_type: str, body: dict[str, Any]) -> Any: ...


class ListenerNotConfigured(Layer8Error):
    code = "listener_not_configured"
    status = 503


def installer(make_sink: Callable[[], EventSink]) -> Callable[[FastAPI, Parts], None]:
    """The listener edge; ``make_sink`` builds the membership sync on the first event."""

    def install(app: FastAPI, container: Parts) -> None:
        app.include_router(_router(container, make_sink), prefix=BASE)

    return install


# problem+json like every error (channels/api/problems.py completes the media type and headers)
LISTENER_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong hub bearer token (`unauthenticated`)"},
    422: {"description": "Not JSON, or not the event the path names (`invalid_input`)"},
    503: {"description": "The listener has no hub token configured (`listener_not_configured`)"},
}


def _router(container: Parts, make_sink: Callable[[], EventSink]) -> APIRouter:
    router = APIRouter(tags=["bss"])
    built: list[EventSink] = []

    def sink() -> EventSink:
        if not built:
            built.append(make_sink())
        return built[0]

    for event_type in EVENT_TYPES:
        router.add_api_route(
            f"/listener/{event_type}",
            _endpoint(container, event_type, sink),
            methods=["POST"],
            status_code=201,
            summary=f"TMF629 {definition_of(event_type)} from the operator's hub",
            responses=LISTENER_ERRORS,
        )
    return router


def _endpoint(container: Parts, event_type: str, sink: Callable[[], EventSink]) -> Any:
    definition = definition_of(event_type)

    async def listen(request: Request) -> JSONResponse:
        _authenticate(container, request)
        try:
            body = await request.json()
        except ValueError:
            raise InvalidInput("the body is not JSON") from None
        problems = errors(Api.CUSTOMER, definition, body) if isinstance(body, dict) else ["not an object"]
        customer = (body.get("event") or {}).get("customer") if isinstance(body, dict) else None
        if problems or not isinstance(customer, dict) or not customer.get("id"):
            raise InvalidInput(f"not a TMF629 {definition} with a customer", problems=problems[:5])
        outcome = await run_in_threadpool(sink().on_event, event_type, body)  # database and BSS reads
        answer = {"id": str(body.get("eventId") or ""), "callback": str(request.url)}
        status = "duplicate" if outcome is None else str(outcome)
        return JSONResponse(answer, status_code=201, headers={"X-Layer8-Outcome": status})

    return listen


def _authenticate(container: Parts, request: Request) -> None:
    settings = container.settings
    token = settings.bss_listener_token
    if token is None:
        if settings.env != "development":
            raise ListenerNotConfigured("the TMF629 listener needs LAYER8_BSS_LISTENER_TOKEN")
        return
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
        raise Unauthenticated("the hub's bearer token is missing or wrong")
