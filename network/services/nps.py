"""Net Promoter Score surveys put in the conversation: when one is due, and the answers.

A survey is ``asked`` (the 0–10 question was shown), then ``scored``, then ``answered`` (with the main
reason) or ``dismissed`` (the person skipped the reason). At most one survey per subscriber per period
(90 days by default), counted from the last one asked, answered or not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.errors import InvalidInput, NotFound
from network.ids import utcnow
from network.models import NpsResponse

ASKED, SCORED, ANSWERED, DISMISSED = "asked", "scored", "answered", "dismissed"
OPEN_FOR = timedelta(days=1)  # a typed score answers a survey asked within a day
REASON_FOR = timedelta(minutes=30)  # the next message within half an hour of a score is its reason
MAX_REASON = 1000


def is_due(session: Session, subscriber_id: str, period: timedelta, now: datetime | None = None) -> bool:
    last = session.scalar(
        select(NpsResponse.asked_at)
        .where(NpsResponse.subscriber_id == subscriber_id)
        .order_by(NpsResponse.asked_at.desc())
        .limit(1)
    )
    return last is None or (now or utcnow()) - last >= period


def open_survey(session: Session, subscriber_id: str, channel: str) -> NpsResponse:
    survey = NpsResponse(subscriber_id=subscriber_id, channel=channel[:16], state=ASKED)
    session.add(survey)
    session.flush()
    return survey


def waiting(session: Session, subscriber_id: str, state: str, within: timedelta) -> NpsResponse | None:
    """The subscriber's newest survey in ``state`` whose last step was within ``within``."""
    survey = session.scalars(
        select(NpsResponse)
        .where(NpsResponse.subscriber_id == subscriber_id)
        .order_by(NpsResponse.asked_at.desc())
        .limit(1)
    ).first()
    if survey is None or survey.state != state:
        return None
    moment = survey.scored_at if state == SCORED else survey.asked_at
    return survey if moment is not None and utcnow() - moment <= within else None


def record_score(session: Session, subscriber_id: str, survey_id: str, score: int) -> NpsResponse:
    """The score of an open survey; a second press on the same survey changes nothing."""
    survey = session.get(NpsResponse, survey_id) if isinstance(survey_id, str) else None
    if survey is None or survey.subscriber_id != subscriber_id:
        raise NotFound(f"no survey {survey_id!r} for you")
    if not 0 <= score <= 10:
        raise InvalidInput("a score is a whole number from 0 to 10")
    if survey.state == ASKED:
        survey.score, survey.state, survey.scored_at = score, SCORED, utcnow()
        session.flush()
    return survey


def record_reason(session: Session, survey: NpsResponse, reason: str | None) -> NpsResponse:
    """The main reason (``None``: skipped); only a scored survey takes one."""
    if survey.state != SCORED:
        return survey
    text = (reason or "").strip()[:MAX_REASON]
    survey.reason = text or None
    survey.state = ANSWERED if text else DISMISSED
    survey.answered_at = utcnow()
    session.flush()
    return survey


def listing(session: Session, limit: int = 100) -> list[NpsResponse]:
    """Surveys, newest first."""
    return list(session.scalars(select(NpsResponse).order_by(NpsResponse.asked_at.desc()).limit(limit)))
