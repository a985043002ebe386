"""Read endpoints of the subscriber directory. The rules (who sees what) live in :mod:`network.directory`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from assistant.settings import Settings
from channels.api.auth import PrincipalDep, StaffDep
from channels.api.deps import SessionDep, SettingsDep
from channels.api.problems import PROBLEM_RESPONSES
from channels.ports import Parts
from network import directory
from network.directory import MAX_LIMIT, MAX_OFFSET, MAX_QUERY, Page, ProfileView, SubscriberView

router = APIRouter(prefix="/v1", tags=["subscribers"], responses=PROBLEM_RESPONSES)

SubscriberId = Annotated[
    str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="e.g. sub_3f2a…")
]
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # the rule network.directory enforces: no control characters
Text = Annotated[str | None, Query(max_length=MAX_QUERY, pattern=PRINTABLE)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class SearchRequest(BaseModel):
    """The body of ``POST /v1/subscribers/search`` (the same search as the GET, for long queries)."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=MAX_QUERY, pattern=PRINTABLE)
    industry: str | None = Field(
        default=None, max_length=MAX_QUERY, pattern=PRINTABLE, description="NAICS code prefix or title"
    )
    place: str | None = Field(
        default=None, max_length=MAX_QUERY, pattern=PRINTABLE, description="locality, region or country"
    )
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


@router.get("/subscribers", response_model=Page, summary="Search subscribers (agents and admins)")
def search_subscribers(
    staff: StaffDep,
    session: SessionDep,
    settings: SettingsDep,
    q: Text = None,
    industry: Text = None,
    place: Text = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page:
    """Match ``q`` against name, phone or account number, industry and place; ordered by name."""
    search = SearchRequest(q=q, industry=industry, place=place, limit=limit, offset=offset)
    return _search(session, settings, search)


@router.post("/subscribers/search", response_model=Page, summary="Search subscribers with a JSON body")
def search_subscribers_body(
    search: SearchRequest, staff: StaffDep, session: SessionDep, settings: SettingsDep
) -> Page:
    return _search(session, settings, search)


@router.get("/subscribers/{subscriber_id}", response_model=SubscriberView, summary="One subscriber")
def get_subscriber(
    subscriber_id: SubscriberId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> SubscriberView:
    """A subscriber may read only itself: any other id is 404, whether or not it exists."""
    return directory.get_subscriber(session, subscriber_id, viewer=principal.actor, tenant=settings.tenant)


@router.get("/subscribers/{subscriber_id}/profile", response_model=ProfileView, summary="A profile")
def get_profile(
    subscriber_id: SubscriberId, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> ProfileView:
    """The profile with each field's source (declared or inferred and confirmed)."""
    return directory.profile_view(session, subscriber_id, viewer=principal.actor, tenant=settings.tenant)


def _search(session: SessionDep, settings: Settings, search: SearchRequest) -> Page:
    return directory.search_subscribers(
        session,
        search.q,
        search.limit,
        search.offset,
        industry=search.industry,
        place=search.place,
        tenant=settings.tenant,
    )


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
