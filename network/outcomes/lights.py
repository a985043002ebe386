"""BNI-style traffic lights: a subscriber's contribution to the network over the last six months.

Points in the last 182 days: 1 per referral given, 1 per one-to-one (an introduction accepted, either
side), 2 per deal given or received, 1 per event attended (checked in at the door, by the check-in time).
**green** 6 or more, **amber** 3–5, **red** 0–2; **grey** when they joined less than 30 days ago (too
early to judge).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from network.engagement import Activity, activity
from network.models import Subscriber
from network.outcomes.shapes import LightCounts, TrafficLights

WINDOW_DAYS = 182
NEW_DAYS = 30
GREEN, AMBER = 6, 3
RULE = (
    "Points in the last six months: 1 per referral given, 1 per one-to-one (an introduction accepted), "
    "2 per deal given or received, 1 per event attended (checked in). Green 6 or more, amber 3–5, "
    "red 0–2; grey when the subscriber joined less than 30 days ago."
)


@dataclass(frozen=True, slots=True)
class Light:
    colour: str
    points: int
    referrals_given: int
    one_to_ones: int
    deals: int
    events: int
    to_next: int  # points still needed for the next colour (0 at green or grey)


def light(found: Activity | None, joined: datetime, until: datetime) -> Light:
    a = found or Activity()
    points = a.referrals_given + a.one_to_ones + 2 * a.deals + a.events_attended
    if joined > until - timedelta(days=NEW_DAYS):
        colour, to_next = "grey", 0
    elif points >= GREEN:
        colour, to_next = "green", 0
    elif points >= AMBER:
        colour, to_next = "amber", GREEN - points
    else:
        colour, to_next = "red", AMBER - points
    return Light(colour, points, a.referrals_given, a.one_to_ones, a.deals, a.events_attended, to_next)


def lights(session: Session, members: Select[Any], until: datetime) -> dict[str, Light]:
    """Every active member's light at ``until``."""
    window = activity(session, until - timedelta(days=WINDOW_DAYS), until)
    people = select(Subscriber.id, Subscriber.created_at).where(
        Subscriber.id.in_(members), Subscriber.status == "active", Subscriber.created_at < until
    )
    return {sid: light(window.get(sid), joined, until) for sid, joined in session.execute(people)}


def of(session: Session, subscriber_id: str, until: datetime) -> Light | None:
    """One subscriber's light (for "how am I doing?")."""
    return lights(session, select(Subscriber.id).where(Subscriber.id == subscriber_id), until).get(
        subscriber_id
    )


def standing(session: Session, subscriber_id: str, until: datetime) -> tuple[Light, datetime] | None:
    """One subscriber's light whatever their membership state, and when they joined (for "how am I
    doing?": the person asking is told theirs even if the BSS has just ended them)."""
    subscriber = session.get(Subscriber, subscriber_id)
    if subscriber is None:
        return None
    found = activity(session, until - timedelta(days=WINDOW_DAYS), until).get(subscriber_id)
    return light(found, subscriber.created_at, until), subscriber.created_at


def distribution(session: Session, members: Select[Any], until: datetime) -> TrafficLights:
    colours = [found.colour for found in lights(session, members, until).values()]
    counts = LightCounts(**{c: colours.count(c) for c in ("green", "amber", "red", "grey")})
    return TrafficLights(rule=RULE, counts=counts)
