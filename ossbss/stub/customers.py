"""The stub's TMF629: customers (list, read, create, patch, delete), the event hub, and churn on request.

Every change of a customer is told to each registered listener as the spec's event, posted to
``<callback>/listener/<eventName>``; each event body is checked against the official definition before it
leaves (a malformed one is a bug in the stub and raises). ``POST /stub/churn`` ends some customers
(status ``Terminated``), as an operator's BSS does when a business leaves. Events sent are kept in
``store.events`` so tests can replay one.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ossbss.stub import resources
from ossbss.stub.store import Resource, StubStore, now_iso
from ossbss.tmf.schemas import Api, base_path, errors, validate

logger = logging.getLogger(__name__)
Deliver = Callable[[str, Resource], None]
_event_ids = itertools.count(1)


def post_event(url: str, body: Resource) -> None:
    """The default delivery: an HTTP POST to the listener (failures are the listener's to survive)."""
    try:
        httpx.post(url, json=body, timeout=5.0)
    except httpx.HTTPError as exc:
        logger.warning("TMF629 event not delivered to a listener: %s", type(exc).__name__)


async def emit(store: StubStore, event_type: str, customer: Resource, deliver: Deliver) -> Resource:
    """Build the ``event_type`` notification for ``customer`` and post it to every listener (in a thread:
    a listener may call the stub back, for the party, while it handles the event)."""
    name = event_type[0].upper() + event_type[1:]
    body: Resource = {
        "eventId": f"evt-{next(_event_ids)}-{customer['id']}",
        "eventTime": now_iso(),
        "eventType": name,
        "event": {"customer": customer},
    }
    validate(Api.CUSTOMER, name, body)
    store.events.append(body)
    for subscription in list(store.hubs.values()):
        url = f"{str(subscription['callback']).rstrip('/')}/listener/{event_type}"
        await asyncio.to_thread(deliver, url, body)
    return body


def router(store: StubStore, deliver: Deliver) -> APIRouter:
    routes = APIRouter()

    def href(request: Request, customer_id: str) -> str:
        return str(request.base_url).rstrip("/") + base_path(Api.CUSTOMER) + f"/customer/{customer_id}"

    @routes.get("/customer/{customer_id}")
    async def customer(request: Request, customer_id: str) -> JSONResponse:
        found = store.customers.get(customer_id)
        if found is None and store.auto_parties:
            found = resources.customer(customer_id, str(request.url))
        return _json(200, found) if found else _json(404, resources.error(404, "notFound"))

    @routes.get("/customer")
    async def customers(request: Request) -> JSONResponse:
        items = list(store.customers.values())
        offset = int(request.query_params.get("offset", 0))
        limit = int(request.query_params.get("limit", 1000))
        page = items[offset : offset + limit]
        headers = {"X-Total-Count": str(len(items)), "X-Result-Count": str(len(page))}
        return JSONResponse(page, headers=headers)

    @routes.post("/customer")
    async def create(request: Request) -> JSONResponse:
        body = await request.json()
        problems = errors(Api.CUSTOMER, "Customer_Create", body)
        if problems:
            return _json(400, resources.error(400, "invalidBody", "; ".join(problems[:5])))
        customer_id = str(body.get("id") or f"cust-{next(_event_ids)}")
        created = dict(body) | {"id": customer_id, "href": href(request, customer_id), "@type": "Customer"}
        created.setdefault("status", "Approved")
        store.customers[customer_id] = created
        await emit(store, "customerCreateEvent", created, deliver)
        return _json(201, created)

    @routes.patch("/customer/{customer_id}")
    async def patch(request: Request, customer_id: str) -> JSONResponse:
        found = store.customers.get(customer_id)
        if found is None:
            return _json(404, resources.error(404, "notFound"))
        body = await request.json()
        problems = errors(Api.CUSTOMER, "Customer_Update", body | {"engagedParty": found["engagedParty"]})
        if problems:
            return _json(400, resources.error(400, "invalidBody", "; ".join(problems[:5])))
        changed = dict(found) | body
        store.customers[customer_id] = changed
        kind = "customerStateChangeEvent" if "status" in body else "customerAttributeValueChangeEvent"
        await emit(store, kind, changed, deliver)
        return _json(200, changed)

    @routes.delete("/customer/{customer_id}")
    async def delete(customer_id: str) -> Response:
        found = store.customers.pop(customer_id, None)
        if found is None:
            return _json(404, resources.error(404, "notFound"))
        await emit(store, "customerDeleteEvent", found, deliver)
        return Response(status_code=204)

    @routes.post("/hub")
    async def register(request: Request) -> JSONResponse:
        body = await request.json()
        problems = errors(Api.CUSTOMER, "EventSubscriptionInput", body)
        if problems:
            return _json(400, resources.error(400, "invalidBody", "; ".join(problems[:5])))
        subscription = {"id": f"hub-{next(_event_ids)}", "callback": body["callback"]}
        if body.get("query"):
            subscription["query"] = body["query"]
        store.hubs[subscription["id"]] = subscription
        return _json(201, subscription)

    @routes.delete("/hub/{subscription_id}")
    async def unregister(subscription_id: str) -> Response:
        if store.hubs.pop(subscription_id, None) is None:
            return _json(404, resources.error(404, "notFound"))
        return Response(status_code=204)

    return routes


def control(store: StubStore, deliver: Deliver) -> APIRouter:
    """``POST /stub/churn`` {"ids": [...]} or {"count": n}: end those customers and tell the listeners."""
    routes = APIRouter()

    @routes.post("/churn")
    async def churn(request: Request) -> JSONResponse:
        data = await request.json()
        active = [c for c in store.customers.values() if str(c.get("status", "")).lower() != "terminated"]
        ids = [str(i) for i in data.get("ids", [])] or [
            str(c["id"]) for c in active[: int(data.get("count", 0))]
        ]
        ended = []
        for customer_id in ids:
            found = store.customers.get(customer_id)
            if found is None:
                continue
            changed = dict(found) | {"status": "Terminated", "statusReason": "the customer left the operator"}
            store.customers[customer_id] = changed
            await emit(store, "customerStateChangeEvent", changed, deliver)
            ended.append(customer_id)
        return _json(200, {"churned": ended})

    @routes.get("/events")
    async def events() -> JSONResponse:
        return _json(200, store.events)

    return routes


def _json(status: int, body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=status)
