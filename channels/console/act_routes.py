"""Form posts of the console: cases, and acts on a subscriber's behalf (each only inside an open case with
recorded customer authentication — see :mod:`channels.console.acts`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from channels.api.deps import DbDep, SettingsDep
from channels.console.acts import (
    EDITABLE,
    DealInput,
    IntroductionAnswer,
    IntroductionRequest,
    OnBehalf,
    ReferralInput,
)
from channels.console.auth import CSRF_FIELD, PostDep, require_agent
from channels.console.web import ConsoleRoute, redirect, render
from network.actor import Actor
from network.errors import InvalidInput
from network.models import Role
from network.services import cases as case_rules

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
_NOT_FIELDS = {CSRF_FIELD, "case_id"}


async def _fields(request: Request, limit: int = 2000) -> dict[str, Any]:
    """The form's text fields (without the CSRF secret and case id); files or overlong values are refused."""
    form: FormData = await request.form()
    fields: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name in _NOT_FIELDS:
            continue
        if not isinstance(value, str) or len(value) > limit:
            raise InvalidInput(f"{name}: at most {limit} characters of text")
        fields[name] = value
    return fields


async def _case_id(request: Request) -> str | None:
    value = (await request.form()).get("case_id")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _method(fields: dict[str, Any]) -> str:
    """The authentication method chosen in the form ("other" takes its words from ``auth_other``)."""
    choice = str(fields.get("auth", ""))
    if choice == "other":
        return f"other: {str(fields.get('auth_other', '')).strip()}"
    return choice


def _page(subscriber_id: str) -> str:
    return f"/console/subscribers/{subscriber_id}"


@router.post("/subscribers/{subscriber_id}/cases")
async def open_case(request: Request, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    agent = require_agent(session)
    fields = await _fields(request)

    def work() -> None:
        with db.transaction(Actor(Role.AGENT, agent)) as db_session:
            case_rules.open_case(db_session, agent, subscriber_id, fields.get("reason", ""), _method(fields))

    await run_in_threadpool(work)
    return redirect(_page(subscriber_id), "case_opened")


@router.post("/cases/{case_id}/authenticate")
async def authenticate(request: Request, case_id: Id, session: PostDep, db: DbDep) -> Response:
    agent = require_agent(session)
    fields = await _fields(request)

    def work() -> str:
        with db.transaction(Actor.agent(agent, case_id)) as db_session:
            return case_rules.record_authentication(db_session, agent, case_id, _method(fields)).subscriber_id

    return redirect(_page(await run_in_threadpool(work)), "case_authenticated")


@router.post("/cases/{case_id}/close")
async def close_case(case_id: Id, session: PostDep, db: DbDep) -> Response:
    agent = require_agent(session)

    def work() -> str:
        with db.transaction(Actor.agent(agent, case_id)) as db_session:
            return case_rules.close_case(db_session, agent, case_id).subscriber_id

    return redirect(_page(await run_in_threadpool(work)), "case_closed")


async def _on_behalf(request: Request, subscriber_id: str, session: PostDep, db: DbDep) -> OnBehalf:
    return OnBehalf(db, require_agent(session), await _case_id(request), subscriber_id)


@router.post("/subscribers/{subscriber_id}/profile")
async def update_profile(request: Request, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    acts = await _on_behalf(request, subscriber_id, session, db)
    fields = await _fields(request)
    values = {name: (fields[name].strip() or None) for name in EDITABLE if name in fields}
    changed = await run_in_threadpool(acts.update_profile, values)
    return redirect(_page(subscriber_id), "profile_updated" if changed else "profile_unchanged")


@router.post("/subscribers/{subscriber_id}/introductions")
async def request_introduction(request: Request, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    acts = await _on_behalf(request, subscriber_id, session, db)
    await run_in_threadpool(
        acts.request_introduction, IntroductionRequest.model_validate(await _fields(request))
    )
    return redirect(_page(subscriber_id), "introduction_requested")


@router.post("/subscribers/{subscriber_id}/introductions/answer")
async def answer_introduction(request: Request, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    acts = await _on_behalf(request, subscriber_id, session, db)
    await run_in_threadpool(
        acts.answer_introduction, IntroductionAnswer.model_validate(await _fields(request))
    )
    return redirect(_page(subscriber_id), "introduction_answered")


@router.post("/subscribers/{subscriber_id}/referrals")
async def log_referral(request: Request, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    acts = await _on_behalf(request, subscriber_id, session, db)
    await run_in_threadpool(acts.log_referral, ReferralInput.model_validate(await _fields(request)))
    return redirect(_page(subscriber_id), "referral_logged")


@router.post("/subscribers/{subscriber_id}/deals")
async def record_deal(request: Request, subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    acts = await _on_behalf(request, subscriber_id, session, db)
    await run_in_threadpool(acts.record_deal, DealInput.model_validate(await _fields(request)))
    return redirect(_page(subscriber_id), "deal_recorded")


@router.post("/subscribers/{subscriber_id}/sign-in-code")
async def sign_in_code(
    request: Request, subscriber_id: Id, session: PostDep, db: DbDep, settings: SettingsDep
) -> Response:
    """A web chat code to read out to the authenticated customer: shown on this page once, never in a URL."""
    acts = await _on_behalf(request, subscriber_id, session, db)
    minutes = settings.sign_in_code_minutes
    issued = await run_in_threadpool(acts.sign_in_code, timedelta(minutes=minutes))
    return render(request, "sign_in_code.html", issued=issued, subscriber_id=subscriber_id, minutes=minutes)
