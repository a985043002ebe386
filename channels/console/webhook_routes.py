"""The outbound webhooks page: registered endpoints, the delivery log (by endpoint and state) and a retry
button for a sent or dead delivery. Admins only, as at ``/v1/webhook-endpoints``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from channels.api.deps import DbDep, SettingsDep
from channels.console.auth import PostDep, SessionDep, viewer
from channels.console.sessions import ConsoleSession
from channels.console.web import ConsoleRoute, redirect, render
from network.errors import PermissionDenied
from network.ids import utcnow
from network.webhooks import deliveries, endpoints

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
EndpointFilter = Annotated[str | None, Query(max_length=40, pattern=r"^[A-Za-z0-9_-]*$")]
StateFilter = Annotated[Literal["", "pending", "sent", "dead"], Query()]
PAGE = 50


def _admin(session: ConsoleSession) -> None:
    if session.is_agent:
        raise PermissionDenied("only an admin sees and retries outbound webhooks")


@router.get("/webhooks")
def webhooks(
    request: Request,
    session: SessionDep,
    db: DbDep,
    settings: SettingsDep,
    endpoint: EndpointFilter = None,
    state: StateFilter = "",
) -> Response:
    _admin(session)
    tenant = settings.tenant
    with db.read() as db_session:
        listed = endpoints.listed(db_session, tenant)
        found = deliveries.page(
            db_session, tenant, endpoint_id=endpoint or None, state=state or None, limit=PAGE
        )
        rows = [deliveries.to_json(m) for m in found.rows]
        return render(
            request,
            "webhooks.html",
            endpoints=listed,
            deliveries=rows,
            endpoint=endpoint or "",
            state=state,
            more=found.next_cursor is not None,
        )


@router.post("/webhooks/deliveries/{delivery_id}/retry")
def retry(delivery_id: Id, session: PostDep, db: DbDep, settings: SettingsDep) -> Response:
    _admin(session)
    with db.transaction(viewer(session)) as db_session:
        deliveries.replay(db_session, settings.tenant, delivery_id, utcnow())
    return redirect("/console/webhooks", "webhook_retried")
