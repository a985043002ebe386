"""The operator's outcomes in the demo history: NPS answers given in chat, and some businesses leaving.

NPS: about two thirds of the members are asked once, on a day after they joined; most answer (the score
leaning to promoters, as a network that works would), some give a reason, some never answer. Churn: on a
day in the second half of the window, a member who took part in none of the stories (no referral, deal
or introduction: replayed after them, so no story loses a step) leaves the operator with a chance of
20% when they were not engaged in the 90 days before and 4% when they were — so the demo shows the
association the churn card measures, through the membership service the BSS sync uses.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network.actor import Actor
from network.db import Database
from network.engagement import ENGAGED_DAYS, is_engaged
from network.ids import seeded_ids, utcnow
from network.models import Deal, Introduction, Referral, Subscriber
from network.services import memberships, nps
from seeding.members import Member
from seeding.timeline import Timeline

ASKED_SHARE = 0.65
ANSWERED_SHARE = 0.8
REASONS = {
    "promoter": ("It brings me customers I would not have met.", "The introductions are well chosen."),
    "passive": ("Useful, but I have not closed much yet.", "Good ideas; I need more time to use them."),
    "detractor": ("Few introductions in my area.", "The suggestions did not fit my business."),
}
CHURN_IF_ENGAGED, CHURN_IF_NOT = 0.04, 0.20
KEEP = 3


def plan(db: Database, timeline: Timeline, rng: random.Random, people: list[Member], start: datetime) -> None:
    """The NPS surveys, among the stories' steps."""
    for person in people:
        first = max(start, person.joined) + timedelta(days=1)
        if rng.random() < ASKED_SHARE and first < timeline.now:
            when = first + timedelta(days=rng.uniform(0, max(1.0, (timeline.now - first).days - 1)))
            survey = _survey(db, person.id, rng.random(), rng.random(), rng.randrange(2))
            timeline.at(when, _own_ids(survey, f"nps-{person.id}"))


def departures(db: Database, rng: random.Random, people: list[Member], start: datetime, end: datetime) -> int:
    """After the stories: members in none of them may leave on a day of the window's second half."""
    timeline = Timeline(end)
    span = (end - start).days
    for person in people[KEEP:]:  # the first members anchor the demo (its sign-in link): they stay
        when = start + timedelta(days=rng.uniform(span / 2, span), hours=rng.uniform(0, 8))
        timeline.at(when, _own_ids(_leave(db, person.id, rng.random()), f"churn-{person.id}"))
    return timeline.replay()


def _own_ids(step: Callable[[], None], key: str) -> Callable[[], None]:
    """Run ``step`` with ids from its own seeded stream: the stories' records keep the ids they had."""

    def run() -> None:
        with seeded_ids(random.Random(f"layer8-outcomes-ids-{key}")):
            step()

    return run


def _score(draw: float) -> int:
    if draw < 0.45:
        return 9 + int(draw * 100) % 2
    if draw < 0.75:
        return 7 + int(draw * 100) % 2
    return int(draw * 100) % 7


def _survey(
    db: Database, subscriber_id: str, answer: float, score_draw: float, reason: int
) -> Callable[[], None]:
    def run() -> None:
        with db.transaction(Actor.subscriber(subscriber_id)) as session:
            subscriber = session.get(Subscriber, subscriber_id)
            if subscriber is None or subscriber.status != "active":
                return
            survey = nps.open_survey(session, subscriber_id, "web")
            if answer > ANSWERED_SHARE:
                return
            score = _score(score_draw)
            nps.record_score(session, subscriber_id, survey.id, score)
            kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
            nps.record_reason(session, survey, REASONS[kind][reason] if answer < 0.6 else None)

    return run


def _in_a_story(session: Session, sid: str) -> bool:
    referral = select(Referral.id).where(or_(Referral.giver_id == sid, Referral.receiver_id == sid))
    deal = select(Deal.id).where(or_(Deal.giver_id == sid, Deal.receiver_id == sid))
    intro = select(Introduction.id).where(
        or_(Introduction.requester_id == sid, Introduction.target_id == sid)
    )
    return any(session.scalars(q.limit(1)).first() is not None for q in (referral, deal, intro))


def _leave(db: Database, subscriber_id: str, draw: float) -> Callable[[], None]:
    def run() -> None:
        with db.transaction(Actor.system("bss-sync")) as session:
            subscriber = session.get(Subscriber, subscriber_id)
            if subscriber is None or subscriber.status != "active":
                return
            if _in_a_story(session, subscriber_id):
                return  # a part of a story: they stay
            now = utcnow()
            engaged = is_engaged(session, subscriber_id, now - timedelta(days=ENGAGED_DAYS), now)
            if draw < (CHURN_IF_ENGAGED if engaged else CHURN_IF_NOT):
                memberships.end(session, subscriber, reason="terminated", source="seed")

    return run
