"""``/v1/cases``: support cases for agents — open one for a subscriber (with how the customer was
authenticated), record the authentication later, close it; list and read. An agent then acts for that
subscriber on the other resources by sending ``X-Layer8-Case: <id>``. Rules: :mod:`network.services.cases`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from channels.api.auth import PrincipalDep, StaffDep
from channels.api.deps import DbDep, SettingsDep
from channels.api.idempotency import KeyDep, respond_once
from channels.api.paging import ID_PATTERN, ListDep, Page
from channels.api.problems import ACTION_RESPONSES, PROBLEM_RESPONSES
from channels.api.schemas import Case
from channels.ports import Parts
from network import listing, views
from network.actor import Actor
from network.errors import NotFound, PermissionDenied
from network.models import Role, SupportCase
from network.services import cases
from network.tokens import Principal

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=PROBLEM_RESPONSES)
CaseId = Annotated[str, Path(min_length=1, max_length=40, pattern=ID_PATTERN)]


class NewCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subscriber_id: str = Field(min_length=1, max_length=40, pattern=ID_PATTERN)
    reason: str = Field(min_length=3, max_length=500)
    authenticated_by: str | None = Field(
        default=None,
        max_length=80,
        description=f"How the customer proved who they are: {', '.join(cases.AUTH_METHODS)} or 'other: …'",
    )


class Authentication(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str = Field(min_length=1, max_length=80)


@router.get("", response_model=Page[Case], summary="Your cases (agents); every case (admins)")
def list_cases(staff: StaffDep, db: DbDep, settings: SettingsDep, params: ListDep) -> Any:
    agent_id = None if staff.role is Role.ADMIN else staff.agent_id
    with db.read() as session:
        found = listing.cases_page(
            session, agent_id, settings.tenant, params.filters, limit=params.limit, cursor=params.cursor
        )
        return {"data": [views.case(r) for r in found.rows], "next_cursor": found.next_cursor}


@router.get("/{case_id}", response_model=Case, summary="One case")
def get_case(case_id: CaseId, staff: StaffDep, db: DbDep) -> Any:
    with db.read() as session:
        case = session.get(SupportCase, case_id)
        if case is None or (staff.role is Role.AGENT and case.agent_id != staff.agent_id):
            raise NotFound(f"no case {case_id!r}")
        return views.case(case)


@router.post("", response_model=Case, status_code=201, responses=ACTION_RESPONSES, summary="Open a case")
def open_case(
    body: NewCase, principal: PrincipalDep, db: DbDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    agent = _agent(principal)
    with db.transaction(Actor(Role.AGENT, agent)) as session:

        def effect() -> dict[str, Any]:
            case = cases.open_case(session, agent, body.subscriber_id, body.reason, body.authenticated_by)
            return views.case(case)

        return respond_once(session, principal, request, key, effect, body=body, status=201)


@router.post(
    "/{case_id}/authentication",
    response_model=Case,
    responses=ACTION_RESPONSES,
    summary="Record how the customer was authenticated",
)
def authenticate_customer(
    case_id: CaseId,
    body: Authentication,
    principal: PrincipalDep,
    db: DbDep,
    request: Request,
    key: KeyDep = None,
) -> JSONResponse:
    agent = _agent(principal)
    with db.transaction(Actor.agent(agent, case_id)) as session:

        def effect() -> dict[str, Any]:
            return views.case(cases.record_authentication(session, agent, case_id, body.method))

        return respond_once(session, principal, request, key, effect, body=body)


@router.post("/{case_id}/close", response_model=Case, responses=ACTION_RESPONSES, summary="Close a case")
def close_case(
    case_id: CaseId, principal: PrincipalDep, db: DbDep, request: Request, key: KeyDep = None
) -> JSONResponse:
    agent = _agent(principal)
    with db.transaction(Actor.agent(agent, case_id)) as session:

        def effect() -> dict[str, Any]:
            return views.case(cases.close_case(session, agent, case_id))

        return respond_once(session, principal, request, key, effect)


def _agent(principal: Principal) -> str:
    if principal.role is not Role.AGENT or principal.agent_id is None:
        raise PermissionDenied("cases are opened and closed by support agents")
    return principal.agent_id


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
