"""``/v1/referrals``: referrals ("slips") — list, read, create, move along, close.

The giver creates one for a receiver; only the receiver moves it (``open → contacted → meeting → won |
lost``). Rules: :mod:`network.services.referrals`, the same as the chat's ``log_referral`` and
``update_referral`` tools.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from channels.api.auth import PrincipalDep
from channels.api.deps import DbDep, SettingsDep
from channels.api.idempotency import KeyDep, respond_once
from channels.api.paging import ID_PATTERN, ListDep, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.reading import read_one, read_page
from channels.api.schemas import Referral
from channels.ports import Parts
from network import listing, views
from network.acting import acting
from network.listing import Scope
from network.services import referrals

router = APIRouter(prefix="/v1/referrals", tags=["referrals"], responses=PROBLEM_RESPONSES)
ReferralId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]
OptionalId = Annotated[str | None, Field(default=None, min_length=1, max_length=40, pattern=ID_PATTERN)]


class NewReferral(BaseModel):
    model_config = ConfigDict(extra="forbid")

    receiver_id: str = Field(
        min_length=1, max_length=40, pattern=ID_PATTERN, description="Who gets the business."
    )
    prospect_subscriber_id: OptionalId = None
    prospect_name: str | None = Field(default=None, min_length=1, max_length=200)
    prospect_contact: str | None = Field(
        default=None, max_length=254, description="Only with `prospect_agreed`: they agreed to be contacted."
    )
    prospect_agreed: bool = False
    hotness: int = Field(default=3, ge=1, le=5, description="1 (cold) to 5 (hot)")
    note: str | None = Field(default=None, max_length=2000)
    introduction_id: OptionalId = None


class Move(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["contacted", "meeting", "won", "lost"]
    note: str | None = Field(default=None, max_length=1000)


class Close(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["won", "lost"]
    note: str | None = Field(default=None, max_length=1000)


@router.get("", response_model=Page[Referral], summary="Referrals you gave or received")
def list_referrals(principal: PrincipalDep, db: DbDep, settings: SettingsDep, params: ListDep) -> Any:
    return read_page(db, principal, settings.tenant, listing.REFERRALS, params, _scoped_view)


@router.get("/{referral_id}", response_model=Referral, summary="One referral")
def get_referral(referral_id: ReferralId, principal: PrincipalDep, db: DbDep, settings: SettingsDep) -> Any:
    return read_one(db, principal, settings.tenant, listing.REFERRALS, referral_id, _scoped_view)


@router.post(
    "", response_model=Referral, status_code=201, responses=ACTION_RESPONSES, summary="Pass business on"
)
def create_referral(
    body: NewReferral, principal: PrincipalDep, db: DbDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    with acting(db, principal, "referral_logged", other_subscriber=body.receiver_id) as (session, me):

        def effect() -> dict[str, Any]:
            row = referrals.log_referral(session, me, **body.model_dump())
            return views.referral(row, party=True)

        return respond_once(session, principal, request, key, effect, body=body, status=201)


@router.post(
    "/{referral_id}/state",
    response_model=Referral,
    responses=ACTION_RESPONSES,
    summary="Move a referral you received along (contacted, meeting, won, lost)",
)
def move_referral(
    referral_id: ReferralId,
    body: Move,
    principal: PrincipalDep,
    db: DbDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    return _move(referral_id, body.state, body.note, body, principal, db, request, key)


@router.post(
    "/{referral_id}/close",
    response_model=Referral,
    responses=ACTION_RESPONSES,
    summary="Close a referral you received as won or lost",
)
def close_referral(
    referral_id: ReferralId,
    body: Close,
    principal: PrincipalDep,
    db: DbDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    return _move(referral_id, body.outcome, body.note, body, principal, db, request, key)


def _move(
    referral_id: str,
    state: str,
    note: str | None,
    body: BaseModel,
    principal: PrincipalDep,
    db: DbDep,
    request: Request,
    key: str | None,
) -> JSONResponse:
    with acting(db, principal, "referral_updated", referral_id=referral_id, state=state) as (session, me):

        def effect() -> dict[str, Any]:
            row = referrals.update_referral(session, me, referral_id, state, note=note)
            return views.referral(row, party=True)

        return respond_once(session, principal, request, key, effect, body=body)


def _view(row: Any, viewer: str | None) -> dict[str, Any]:
    return views.referral(row, party=listing.is_party(listing.REFERRALS, row, viewer))


def _scoped_view(row: Any, scope: Scope) -> dict[str, Any]:
    return _view(row, scope.subscriber_id)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
