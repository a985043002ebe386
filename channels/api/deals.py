"""``/v1/deals``: closed business — list, read, record, void.

Recording credits the referral's giver (the incentive rules run in the same transaction); voiding reverses
those incentives, and a credit that already reached the bill is reversed there by a new negative entry.
Both move money, so both require an ``Idempotency-Key``. Rules: :mod:`network.services.deals`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from channels.api.auth import PrincipalDep
from channels.api.deps import DbDep, SettingsDep
from channels.api.idempotency import RequiredKeyDep, respond_once
from channels.api.paging import ID_PATTERN, ListDep, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.reading import plain, read_one, read_page
from channels.api.schemas import Deal
from channels.ports import Parts
from network import listing, views
from network.acting import acting, operating
from network.models import Role
from network.money import MAX_MINOR, Money, exponents
from network.services import deals

router = APIRouter(prefix="/v1/deals", tags=["deals"], responses=PROBLEM_RESPONSES)
DealId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]
OptionalId = Annotated[str | None, Field(default=None, min_length=1, max_length=40, pattern=ID_PATTERN)]


class NewDeal(BaseModel):
    """Exactly one of ``referral_id`` (a referral you received) or ``introduction_id`` (an accepted one)."""

    model_config = ConfigDict(extra="forbid")

    referral_id: OptionalId = None
    introduction_id: OptionalId = None
    amount_minor: int = Field(
        gt=0, le=MAX_MINOR, description="Integer minor units, e.g. 240000 for £2,400.00"
    )
    currency: str = Field(
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217",
        json_schema_extra={"enum": list[JsonValue](sorted(exponents()))},  # the codes network.money knows
    )
    closed_on: date
    description: str | None = Field(default=None, max_length=500)


class Void(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500)


@router.get("", response_model=Page[Deal], summary="Deals you received or were credited for")
def list_deals(principal: PrincipalDep, db: DbDep, settings: SettingsDep, params: ListDep) -> Any:
    return read_page(db, principal, settings.tenant, listing.DEALS, params, plain(views.deal))


@router.get("/{deal_id}", response_model=Deal, summary="One deal")
def get_deal(deal_id: DealId, principal: PrincipalDep, db: DbDep, settings: SettingsDep) -> Any:
    return read_one(db, principal, settings.tenant, listing.DEALS, deal_id, plain(views.deal))


@router.post(
    "",
    response_model=Deal,
    status_code=201,
    responses=ACTION_RESPONSES,
    summary="Record business you closed thanks to a referral or an introduction",
)
def record_deal(
    body: NewDeal, principal: PrincipalDep, db: DbDep, request: Request, key: RequiredKeyDep
) -> JSONResponse:
    money = Money(body.amount_minor, body.currency)
    data = {"amount_minor": money.amount_minor, "currency": money.currency}
    with acting(db, principal, "deal_recorded", **data) as (session, me):

        def effect() -> dict[str, Any]:
            row = deals.record_deal(
                session,
                me,
                money,
                closed_on=body.closed_on,
                recorded_by=principal.actor.label,
                referral_id=body.referral_id,
                introduction_id=body.introduction_id,
                description=body.description,
            )
            return views.deal(row)

        return respond_once(session, principal, request, key, effect, body=body, status=201)


@router.post(
    "/{deal_id}/void",
    response_model=Deal,
    responses=ACTION_RESPONSES,
    summary="Void a deal recorded in error (its receiver, or an admin); incentives are reversed",
)
def void_deal(
    deal_id: DealId, body: Void, principal: PrincipalDep, db: DbDep, request: Request, key: RequiredKeyDep
) -> JSONResponse:
    if principal.role is Role.ADMIN:
        with operating(db, principal) as session:
            return _void(session, None, deal_id, body, principal, request, key)
    with acting(db, principal, "deal_voided", deal_id=deal_id) as (session, me):
        return _void(session, me, deal_id, body, principal, request, key)


def _void(
    session: Any,
    receiver_id: str | None,
    deal_id: str,
    body: Void,
    principal: Any,
    request: Request,
    key: str,
) -> JSONResponse:
    def effect() -> dict[str, Any]:
        return views.deal(deals.void_deal(session, deal_id, receiver_id=receiver_id, reason=body.reason))

    return respond_once(session, principal, request, key, effect, body=body)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
