"""Two review queues: profile text held for a person's review (it reads as instructions or carries contact
details) and subscribers' erasure requests, which an admin approves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from channels.api.deps import ContainerDep, DbDep
from channels.console.auth import PostDep, SessionDep, viewer
from channels.console.web import ConsoleRoute, redirect, render
from network.errors import PermissionDenied
from network.services import erasure_requests, profile_review

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Id = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]


@router.get("/reviews")
def reviews(request: Request, session: SessionDep, db: DbDep) -> Response:
    with db.read() as db_session:
        items = [
            {
                "subscriber_id": s.id,
                "business_name": s.business_name,
                "reasons": p.review_reasons or [],
                "offers": p.offers,
                "needs": p.needs,
                "description": p.description,
            }
            for s, p in profile_review.held(db_session)
        ]
    return render(request, "reviews.html", items=items)


@router.post("/reviews/{subscriber_id}/approve")
def approve_profile(subscriber_id: Id, session: PostDep, db: DbDep) -> Response:
    with db.transaction(viewer(session)) as db_session:
        profile_review.approve(db_session, subscriber_id)
    return redirect("/console/reviews", "profile_approved")


@router.get("/erasures")
def erasures(request: Request, session: SessionDep, db: DbDep) -> Response:
    with db.read() as db_session:  # rendered inside: the rows expire when the read session ends
        return render(request, "erasures.html", items=erasure_requests.pending(db_session))


@router.post("/erasures/{subscriber_id}/approve")
async def approve_erasure(subscriber_id: Id, session: PostDep, container: ContainerDep) -> Response:
    if session.is_agent:
        raise PermissionDenied("only an admin approves an erasure")
    with container.db.read() as db_session:
        if erasure_requests.pending_for(db_session, subscriber_id) is None:
            return redirect("/console/erasures")
    report = await run_in_threadpool(
        container.eraser.erase, subscriber_id, actor=viewer(session), reason="erasure request approved"
    )
    return redirect("/console/erasures", "erased" if report.verified else "erased_unverified")
