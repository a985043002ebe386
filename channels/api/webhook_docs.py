"""The ``webhooks`` section of the OpenAPI 3.1 document: the payload of every event Layer8 sends.

Every event is a JSON POST ``{"type", "timestamp", "data"}`` with the Standard Webhooks headers; ``data`` is
the record's public view (ids, states, amounts; never contact details). Nothing here is served: FastAPI's
``app.webhooks`` router only documents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI, Header
from pydantic import BaseModel, Field, create_model

from channels.api import schemas
from channels.ports import Parts
from network.webhooks.catalog import EVENT_TYPES


class Erased(BaseModel):
    id: str
    status: str = "erased"


DATA: dict[str, type[BaseModel]] = {
    "introduction": schemas.Introduction,
    "referral": schemas.Referral,
    "deal": schemas.Deal,
    "incentive": schemas.Incentive,
    "subscriber": Erased,
}
HEADERS_DOC = (
    "Headers: `webhook-id` (the message id: the same on every retry and replay — de-duplicate on it), "
    "`webhook-timestamp` (Unix seconds), `webhook-signature` (`v1,<base64 HMAC-SHA256>` of "
    "`id.timestamp.body` with your endpoint's secret; verify it with any Standard Webhooks library). "
    "Answer 2xx within 10 s; anything else is retried with back-off for about 3.5 days."
)


def event_model(event_type: str) -> type[BaseModel]:
    resource = event_type.split(".", 1)[0]
    name = "".join(part.title() for part in event_type.replace(".", "_").split("_")) + "Event"
    fields: dict[str, Any] = {
        "type": (str, Field(default=event_type, description=f"Always `{event_type}`.")),
        "timestamp": (datetime, Field(description="When it happened (ISO 8601, UTC).")),
        "data": (DATA[resource], ...),
    }
    model: type[BaseModel] = create_model(name, **fields)
    return model


def _document(app: FastAPI, event_type: str) -> None:
    model = event_model(event_type)

    def receive(
        body: model,  # type: ignore[valid-type]  # a model built per event type
        webhook_id: str = Header(alias="webhook-id"),
        webhook_timestamp: str = Header(alias="webhook-timestamp"),
        webhook_signature: str = Header(alias="webhook-signature"),
    ) -> None: ...

    receive.__annotations__["body"] = model  # a local class: resolve the postponed annotation here
    app.webhooks.add_api_route(
        event_type, receive, methods=["POST"], summary=event_type, description=HEADERS_DOC, tags=["webhooks"]
    )


def install(app: FastAPI, container: Parts) -> None:
    for event_type in EVENT_TYPES:
        _document(app, event_type)
