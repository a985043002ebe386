"""``/v1/webhook-endpoints``: operator admins register where events go, read the delivery log and replay.

Deliveries are signed per Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)
with the endpoint's secret, shown once when the endpoint is created. Rules:
:mod:`network.webhooks.endpoints` and :mod:`network.webhooks.deliveries`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from channels.api.auth import AdminDep
from channels.api.deps import DbDep, SettingsDep
from channels.api.idempotency import KeyDep, respond_once
from channels.api.paging import ID_PATTERN, MAX_PAGE, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.schemas import Delivery, DeliveryDetail, NewWebhookEndpoint, WebhookEndpoint, endpoint_json
from channels.ports import Parts
from network.acting import operating
from network.errors import NotFound
from network.ids import utcnow
from network.pagination import MAX_CURSOR
from network.webhooks import deliveries, endpoints
from network.webhooks.catalog import EVENT_TYPES
from network.webhooks.scopes import SCOPES

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"], responses=PROBLEM_RESPONSES)
EndpointId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]  # a Literal built from the catalog, on purpose
Scope = Literal[SCOPES]  # type: ignore[valid-type]  # likewise, from network.webhooks.scopes
SCOPES_DOC = (
    "What the endpoint may receive beyond ids and states; none by default. `contacts`: "
    "`introduction.accepted` also carries both parties' contact cards (name, e-mail, phone), as the "
    "acceptance shares them with the two parties; no other event changes."
)


# the rule network.webhooks.endpoints.clean_url enforces, stated in the schema: http(s) with a host name
# the path in printable ASCII: "[^\s]" let U+0085 through under the schema's (ECMAScript) rules while
# Python's regex read it as a space, and schemathesis found a schema-valid URL the server refused
URL = r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?(/[!-~]*)?$"


class NewEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=8, max_length=endpoints.MAX_URL, pattern=URL, description="http(s) URL that receives POSTs"
    )
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))
    description: str | None = Field(default=None, max_length=200)
    scopes: list[Scope] = Field(default_factory=list, max_length=len(SCOPES), description=SCOPES_DOC)


class EndpointChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, min_length=8, max_length=endpoints.MAX_URL, pattern=URL)
    event_types: list[EventType] | None = Field(default=None, min_length=1, max_length=len(EVENT_TYPES))
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = Field(default=None, description="false: disable; true: enable and reset failures")
    scopes: list[Scope] | None = Field(default=None, max_length=len(SCOPES), description=SCOPES_DOC)


@router.get("", response_model=Page[WebhookEndpoint], summary="Registered endpoints (admins)")
def list_endpoints(admin: AdminDep, db: DbDep, settings: SettingsDep) -> Any:
    with db.read() as session:
        rows = endpoints.listed(session, settings.tenant)
        return {"data": [endpoint_json(r) for r in rows], "next_cursor": None}


@router.post(
    "",
    response_model=NewWebhookEndpoint,
    status_code=201,
    responses=ACTION_RESPONSES,
    summary="Register an endpoint; the answer holds its signing secret, shown only once",
)
def create_endpoint(
    body: NewEndpoint, admin: AdminDep, db: DbDep, settings: SettingsDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    with operating(db, admin) as session:

        def effect() -> dict[str, Any]:
            row = endpoints.create(
                session, settings.tenant, body.url, body.event_types, body.description, body.scopes
            )
            return endpoint_json(row, with_secret=True)

        return respond_once(session, admin, request, key, effect, body=body, status=201)


@router.get("/{endpoint_id}", response_model=WebhookEndpoint, summary="One endpoint")
def get_endpoint(endpoint_id: EndpointId, admin: AdminDep, db: DbDep, settings: SettingsDep) -> Any:
    with db.read() as session:
        return endpoint_json(endpoints.get(session, settings.tenant, endpoint_id))


@router.patch(
    "/{endpoint_id}", response_model=WebhookEndpoint, summary="Change, disable or enable an endpoint"
)
def change_endpoint(
    endpoint_id: EndpointId, body: EndpointChange, admin: AdminDep, db: DbDep, settings: SettingsDep
) -> Any:
    with operating(db, admin) as session:
        row = endpoints.update(session, settings.tenant, endpoint_id, **body.model_dump(exclude_none=True))
        return endpoint_json(row)


@router.delete("/{endpoint_id}", status_code=204, summary="Delete an endpoint (its delivery log is kept)")
def delete_endpoint(endpoint_id: EndpointId, admin: AdminDep, db: DbDep, settings: SettingsDep) -> Response:
    with operating(db, admin) as session:
        endpoints.delete(session, settings.tenant, endpoint_id)
    return Response(status_code=204)


@router.get(
    "/{endpoint_id}/deliveries", response_model=Page[Delivery], summary="The delivery log, newest first"
)
def list_deliveries(
    endpoint_id: EndpointId,
    admin: AdminDep,
    db: DbDep,
    settings: SettingsDep,
    state: Annotated[Literal["pending", "sent", "dead"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None,
) -> Any:
    with db.read() as session:
        found = deliveries.page(
            session, settings.tenant, endpoint_id=endpoint_id, state=state, limit=limit, cursor=cursor
        )
        return {"data": [deliveries.to_json(m) for m in found.rows], "next_cursor": found.next_cursor}


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="One delivery with every attempt",
)
def get_delivery(
    endpoint_id: EndpointId, delivery_id: DeliveryId, admin: AdminDep, db: DbDep, settings: SettingsDep
) -> Any:
    with db.read() as session:
        return _detail(session, settings.tenant, endpoint_id, delivery_id)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay",
    response_model=Delivery,
    responses=ACTION_RESPONSES,
    summary="Deliver a sent or dead message again (same webhook-id)",
)
def replay_delivery(
    endpoint_id: EndpointId,
    delivery_id: DeliveryId,
    admin: AdminDep,
    db: DbDep,
    settings: SettingsDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    with operating(db, admin) as session:

        def effect() -> dict[str, Any]:
            _detail(session, settings.tenant, endpoint_id, delivery_id)
            return deliveries.to_json(deliveries.replay(session, settings.tenant, delivery_id, utcnow()))

        return respond_once(session, admin, request, key, effect)


def _detail(session: Any, tenant: str, endpoint_id: str, delivery_id: str) -> dict[str, Any]:
    message = deliveries.get(session, tenant, delivery_id)
    view = deliveries.to_json(message)
    if view["endpoint_id"] != endpoint_id:
        raise NotFound(f"no webhook delivery {delivery_id!r} for this endpoint")
    view["attempts_log"] = [deliveries.attempt_json(a) for a in deliveries.attempts(session, delivery_id)]
    return view


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
