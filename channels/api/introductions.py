"""``/v1/introductions``: double opt-in introductions — list, read, request, accept, decline, withdraw.

The rules live in :mod:`network.services.introductions` (the same path as the chat tools and the console);
who may see what in :mod:`network.listing`; acting for a subscriber in :mod:`network.acting`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from channels.api.auth import PrincipalDep
from channels.api.deps import DbDep, SettingsDep
from channels.api.idempotency import KeyDep, respond_once
from channels.api.paging import ID_PATTERN, ListDep, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.reading import plain, read_one, read_page
from channels.api.schemas import Introduction
from channels.ports import Parts
from network import listing, views
from network.acting import acting
from network.services import introductions

router = APIRouter(prefix="/v1/introductions", tags=["introductions"], responses=PROBLEM_RESPONSES)
IntroductionId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]


class IntroductionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_id: str = Field(min_length=1, max_length=40, pattern=ID_PATTERN, description="Whom to meet.")
    message: str | None = Field(default=None, max_length=500, description="A note for the other business.")


@router.get("", response_model=Page[Introduction], summary="Introductions you are a party to")
def list_introductions(principal: PrincipalDep, db: DbDep, settings: SettingsDep, params: ListDep) -> Any:
    view = plain(views.introduction)
    return read_page(db, principal, settings.tenant, listing.INTRODUCTIONS, params, view)


@router.get("/{introduction_id}", response_model=Introduction, summary="One introduction")
def get_introduction(
    introduction_id: IntroductionId, principal: PrincipalDep, db: DbDep, settings: SettingsDep
) -> Any:
    view = plain(views.introduction)
    return read_one(db, principal, settings.tenant, listing.INTRODUCTIONS, introduction_id, view)


@router.post(
    "",
    response_model=Introduction,
    status_code=201,
    responses=ACTION_RESPONSES,
    summary="Ask to be introduced (the target must accept introductions)",
)
def request_introduction(
    body: IntroductionRequest, principal: PrincipalDep, db: DbDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    with acting(db, principal, "introduction_requested", other_subscriber=body.target_id) as (session, me):

        def effect() -> dict[str, Any]:
            row = introductions.request(session, me, body.target_id, message=body.message)
            return views.introduction(row)

        return respond_once(session, principal, request, key, effect, body=body, status=201)


def _answer(act: str, accept: bool | None) -> Any:
    def answer(
        introduction_id: IntroductionId,
        principal: PrincipalDep,
        db: DbDep,
        request: Request,
        key: KeyDep = None,
    ) -> JSONResponse:
        with acting(db, principal, act, introduction_id=introduction_id) as (session, me):

            def effect() -> dict[str, Any]:
                if accept is None:
                    row = introductions.withdraw(session, me, introduction_id)
                else:
                    row = introductions.respond(session, me, introduction_id, accept=accept)
                return views.introduction(row)

            return respond_once(session, principal, request, key, effect)

    return answer


router.add_api_route(
    "/{introduction_id}/accept",
    _answer("introduction_accepted", True),
    methods=["POST"],
    response_model=Introduction,
    responses=ACTION_RESPONSES,
    summary="Accept a request made to you (both sides may then see each other's contact card)",
)
router.add_api_route(
    "/{introduction_id}/decline",
    _answer("introduction_declined", False),
    methods=["POST"],
    response_model=Introduction,
    responses=ACTION_RESPONSES,
    summary="Decline a request made to you (nothing is shared)",
)
router.add_api_route(
    "/{introduction_id}/withdraw",
    _answer("introduction_withdrawn", None),
    methods=["POST"],
    response_model=Introduction,
    responses=ACTION_RESPONSES,
    summary="Withdraw a request you made that has not been answered",
)


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
