"""A TM Forum stub: TMF654 adjustBalance, TMF635 usage, TMF678 bills, TMF632 parties, TMF629 customers.

Every POST is validated against the official ``*_Create`` definition (else 400 with a TMF ``Error``); each
application is recorded with our correlation id (body ``correlationId`` or header ``X-Correlation-ID``), and
faults are injected from a schedule (``/stub/faults``) or per request (header ``X-Stub-Fault``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from network.errors import Layer8Error
from ossbss.port import BillKind
from ossbss.stub import customers as customer_routes
from ossbss.stub import resources
from ossbss.stub.faults import Fault, FaultSchedule
from ossbss.stub.middleware import FaultMiddleware
from ossbss.stub.store import StubStore
from ossbss.tmf.schemas import Api, base_path, errors

_PAGING = {"fields", "offset", "limit"}
PARTY_ALIAS = "/tmf-api/partyManagement/v4"  # TMF632 v4's own basePath is /tmf-api/party/v4


def create_app(
    store: StubStore | None = None,
    schedule: FaultSchedule | None = None,
    deliver: customer_routes.Deliver = customer_routes.post_event,
) -> FastAPI:
    """The stub; ``deliver`` posts TMF629 events to listeners (tests pass one that calls an app directly)."""
    store = store or StubStore()
    schedule = schedule or FaultSchedule()
    app = FastAPI(title="Layer8 TM Forum stub", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.store, app.state.schedule = store, schedule
    app.include_router(_writes(store, BillKind.CREDIT), prefix=base_path(Api.PREPAY_BALANCE))
    app.include_router(_writes(store, BillKind.USAGE), prefix=base_path(Api.USAGE))
    app.include_router(_bills(store), prefix=base_path(Api.CUSTOMER_BILL))
    app.include_router(_parties(store), prefix=base_path(Api.PARTY))
    app.include_router(_parties(store), prefix=PARTY_ALIAS)
    app.include_router(customer_routes.router(store, deliver), prefix=base_path(Api.CUSTOMER))
    app.include_router(_control(store, schedule), prefix="/stub")
    app.include_router(customer_routes.control(store, deliver), prefix="/stub")
    app.add_middleware(FaultMiddleware, schedule=schedule)

    @app.exception_handler(Layer8Error)
    async def refused(request: Request, exc: Layer8Error) -> JSONResponse:
        return _json(exc.status, resources.error(exc.status, exc.code, exc.message))

    return app


def _json(status: int, body: Any, **headers: str) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers or None)


def _page(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
    offset = int(request.query_params.get("offset", 0))
    limit = int(request.query_params.get("limit", 1000))
    page = items[offset : offset + limit]
    return _json(200, page, **{"X-Total-Count": str(len(items)), "X-Result-Count": str(len(page))})


def _filters(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in _PAGING}


def _href(request: Request, *parts: str) -> str:
    return str(request.base_url).rstrip("/") + "".join(parts)


_WRITE = {
    BillKind.CREDIT: (Api.PREPAY_BALANCE, "adjustBalance", "AdjustBalance_Create"),
    BillKind.USAGE: (Api.USAGE, "usage", "Usage_Create"),
}


def _writes(store: StubStore, kind: BillKind) -> APIRouter:
    api, name, definition = _WRITE[kind]
    router = APIRouter()

    @router.post(f"/{name}")
    async def create(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return _json(400, resources.error(400, "invalidBody", "the body is not JSON"))
        problems = errors(api, definition, body)
        if problems:
            return _json(400, resources.error(400, "invalidBody", "; ".join(problems[:5])))
        cid = str(body.get("correlationId") or request.headers.get("X-Correlation-ID") or "")

        def build(resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
            href = _href(request, base_path(api), f"/{name}/{resource_id}")
            rate_href = _href(
                request, base_path(Api.CUSTOMER_BILL), f"/appliedCustomerBillingRate/acbr-{resource_id}"
            )
            if kind is BillKind.CREDIT:
                resource = resources.adjust_balance(body, resource_id, href, cid)
                return resource, resources.credit_rate(resource, rate_href)
            resource = resources.usage(body, resource_id, href, cid)
            return resource, resources.usage_rate(resource, rate_href)

        resource, created = store.apply(kind, cid, build)
        return _json(201 if created else 200, resource)

    @router.get(f"/{name}")
    async def listing(request: Request) -> JSONResponse:
        return _page(request, store.find(kind, _filters(request)))

    @router.get(f"/{name}/{{resource_id}}")
    async def one(resource_id: str) -> JSONResponse:
        found = store.get(kind, resource_id)
        return _json(200, found) if found else _json(404, resources.error(404, "notFound"))

    return router


def _bills(store: StubStore) -> APIRouter:
    router = APIRouter()

    @router.get("/appliedCustomerBillingRate")
    async def rates(request: Request) -> JSONResponse:
        return _page(request, store.rate_list(_filters(request)))

    @router.get("/appliedCustomerBillingRate/{rate_id}")
    async def rate(rate_id: str) -> JSONResponse:
        found = store.rate_list({"id": rate_id})
        return _json(200, found[0]) if found else _json(404, resources.error(404, "notFound"))

    @router.get("/customerBill")
    async def bills(request: Request) -> JSONResponse:
        href = _href(request, base_path(Api.CUSTOMER_BILL), "/customerBill")
        every = resources.customer_bills(store.rate_list({}), href)
        filters = _filters(request)
        account = filters.pop("billingAccount.id", None)
        chosen = [b for b in every if account is None or b["billingAccount"]["id"] == account]
        return _page(request, chosen)

    @router.get("/customerBill/{bill_id}")
    async def bill(request: Request, bill_id: str) -> JSONResponse:
        href = _href(request, base_path(Api.CUSTOMER_BILL), "/customerBill")
        found = [b for b in resources.customer_bills(store.rate_list({}), href) if b["id"] == bill_id]
        return _json(200, found[0]) if found else _json(404, resources.error(404, "notFound"))

    return router


def _parties(store: StubStore) -> APIRouter:
    router = APIRouter()

    @router.get("/{kind}/{party_id}")
    async def party(request: Request, kind: str, party_id: str) -> JSONResponse:
        found = store.parties.get(party_id)
        if found is None and kind == "organization" and store.auto_parties:
            found = resources.organization(party_id, str(request.url))
        if found is None or kind not in ("organization", "individual") or found["@type"].lower() != kind:
            return _json(404, resources.error(404, "notFound"))
        return _json(200, found)

    @router.get("/{kind}")
    async def parties(request: Request, kind: str) -> JSONResponse:
        chosen = [p for p in store.parties.values() if p["@type"].lower() == kind]
        return _page(request, chosen)

    return router


def _control(store: StubStore, schedule: FaultSchedule) -> APIRouter:
    router = APIRouter()

    @router.post("/faults")
    async def add_faults(request: Request) -> JSONResponse:
        data = await request.json()
        faults = [Fault.from_json(item) for item in (data if isinstance(data, list) else [data])]
        schedule.add(*faults)
        return _json(200, [f.to_json() for f in schedule.pending()])

    @router.get("/faults")
    async def list_faults() -> JSONResponse:
        return _json(200, [f.to_json() for f in schedule.pending()])

    @router.delete("/faults")
    async def clear_faults() -> JSONResponse:
        schedule.clear()
        return _json(200, [])

    @router.get("/applications")
    async def applications() -> JSONResponse:
        return _json(
            200,
            [
                {
                    "kind": a.kind.value,
                    "correlationId": a.correlation_id,
                    "resourceId": a.resource_id,
                    "at": a.at,
                }
                for a in store.applications
            ],
        )

    @router.post("/reset")
    async def reset() -> JSONResponse:
        store.reset()
        schedule.clear()
        return _json(200, {"reset": True})

    @router.post("/parties")
    async def seed(request: Request) -> JSONResponse:
        data = await request.json()
        for definition, target, api in (
            ("Organization", store.parties, Api.PARTY),
            ("Individual", store.parties, Api.PARTY),
            ("Customer", store.customers, Api.CUSTOMER),
        ):
            for item in data.get(definition.lower(), []):
                item = dict(item) | {"@type": definition}
                problems = errors(api, definition, item)
                if problems:
                    return _json(400, resources.error(400, "invalidBody", "; ".join(problems[:5])))
                target[str(item["id"])] = item
        return _json(200, {"parties": len(store.parties), "customers": len(store.customers)})

    return router
