"""``/v1/incentives``: rewards for referrals — read (your own, or the tenant's for an admin); approve,
hold and reverse for admins. The rules are :class:`ossbss.incentives.Incentives`, the same object the CLI
and the relay use; a reversal is a new negative entry, posted to the bill if the credit already left.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from channels.api.auth import AdminDep, PrincipalDep
from channels.api.deps import ContainerDep, DbDep, SettingsDep
from channels.api.idempotency import KeyDep, respond_once
from channels.api.paging import ID_PATTERN, ListDep, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.reading import plain, read_one, read_page
from channels.api.schemas import Incentive
from channels.ports import Parts
from network import listing, views
from network.acting import operating

router = APIRouter(prefix="/v1/incentives", tags=["incentives"], responses=PROBLEM_RESPONSES)
IncentiveId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500, description="Why (kept in the audit trail).")


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500, description="Why (kept in the audit trail).")


@router.get("", response_model=Page[Incentive], summary="Incentives you earned (admins: the tenant's)")
def list_incentives(principal: PrincipalDep, db: DbDep, settings: SettingsDep, params: ListDep) -> Any:
    return read_page(db, principal, settings.tenant, listing.INCENTIVES, params, plain(views.incentive))


@router.get("/{incentive_id}", response_model=Incentive, summary="One incentive")
def get_incentive(
    incentive_id: IncentiveId, principal: PrincipalDep, db: DbDep, settings: SettingsDep
) -> Any:
    return read_one(db, principal, settings.tenant, listing.INCENTIVES, incentive_id, plain(views.incentive))


@router.post(
    "/{incentive_id}/approve",
    response_model=Incentive,
    responses=ACTION_RESPONSES,
    summary="Approve a held or pending incentive: the credit goes to the bill (admins)",
)
def approve(
    incentive_id: IncentiveId,
    body: Decision,
    admin: AdminDep,
    parts: ContainerDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    reviewer = admin.actor.label
    with operating(parts.db, admin) as session:

        def effect() -> dict[str, Any]:
            return views.incentive(parts.incentives.approve(session, incentive_id, reviewer=reviewer))

        return respond_once(session, admin, request, key, effect, body=body)


@router.post(
    "/{incentive_id}/hold",
    response_model=Incentive,
    responses=ACTION_RESPONSES,
    summary="Hold a pending incentive for review: nothing is paid until it is approved (admins)",
)
def hold(
    incentive_id: IncentiveId,
    body: Reason,
    admin: AdminDep,
    parts: ContainerDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    reviewer = admin.actor.label
    with operating(parts.db, admin) as session:

        def effect() -> dict[str, Any]:
            incentive = parts.incentives.hold(session, incentive_id, reviewer=reviewer, reason=body.reason)
            return views.incentive(incentive)

        return respond_once(session, admin, request, key, effect, body=body)


@router.post(
    "/{incentive_id}/reverse",
    response_model=Incentive,
    status_code=201,
    responses=ACTION_RESPONSES,
    summary="Reverse an incentive: answers the new negative entry (admins)",
)
def reverse(
    incentive_id: IncentiveId,
    body: Reason,
    admin: AdminDep,
    parts: ContainerDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    with operating(parts.db, admin) as session:

        def effect() -> dict[str, Any]:
            return views.incentive(parts.incentives.reverse(session, incentive_id, body.reason))

        return respond_once(session, admin, request, key, effect, body=body, status=201)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
