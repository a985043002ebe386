"""The ``webhooks`` section of the OpenAPI 3.1 document: the payload of every event Layer8 sends.

Every event is a JSON POST ``{"type", "timestamp", "data"}`` with the Standard Webhooks headers; ``data`` is
the record's public view (ids, states, amounts; no contact details). The one exception is documented on
``introduction.accepted``: an endpoint with the ``contacts`` scope also gets ``data.contacts``
(:mod:`network.webhooks.scopes`). Nothing here is served: FastAPI's ``app.webhooks`` router only documents.
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


class ContactCard(BaseModel):
    """One party's card, as the other party is shown it once both have accepted."""

    subscriber_id: str
    business_name: str
    contact_name: str | None
    email: str | None
    phone: str | None


class IntroductionContacts(BaseModel):
    requester: ContactCard | None = Field(description="`null` once the requester has been erased.")
    target: ContactCard | None = Field(description="`null` once the target has been erased.")


class AcceptedIntroduction(schemas.Introduction):
    contacts: IntroductionContacts | None = Field(
        default=None,
        description="Only for an endpoint registered with the `contacts` scope (absent otherwise): both "
        "parties' contact details, read from the records when the delivery is sent — never stored with it.",
    )


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


SCOPED_DATA: dict[str, type[BaseModel]] = {"introduction.accepted": AcceptedIntroduction}
SCOPE_DOC = (
    " With the endpoint's `contacts` scope, `data.contacts` carries both parties' contact cards; "
    "without it (the default) this event, like every other, carries ids and states only."
)


def event_model(event_type: str) -> type[BaseModel]:
    resource = event_type.split(".", 1)[0]
    name = "".join(part.title() for part in event_type.replace(".", "_").split("_")) + "Event"
    fields: dict[str, Any] = {
        "type": (str, Field(default=event_type, description=f"Always `{event_type}`.")),
        "timestamp": (datetime, Field(description="When it happened (ISO 8601, UTC).")),
        "data": (SCOPED_DATA.get(event_type, DATA[resource]), ...),
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
    description = HEADERS_DOC + (SCOPE_DOC if event_type in SCOPED_DATA else "")
    app.webhooks.add_api_route(
        event_type, receive, methods=["POST"], summary=event_type, description=description, tags=["webhooks"]
    )


def install(app: FastAPI, container: Parts) -> None:
    for event_type in EVENT_TYPES:
        _document(app, event_type)
