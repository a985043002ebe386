"""Whom to invite to an event: the likely attendees (the event's audience), ranked by the matching engine.

Each likely attendee's suggestions are asked of the matcher once; only suggestions *inside the room* count.
A person's score is the sum of their best in-room matches (up to ``per_person``): who would gain most from
the room. After choosing, each invitation names whom they would meet among the others chosen, and why —
the matcher's own reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.db import Database
from network.errors import NotFound
from network.models import Event, Profile, Subscriber
from network.services import events
from network.services.events import Invitee
from network.services.one_to_ones import PER_ATTENDEE, Pairing
from retrieval import eligibility

PER_PERSON = 3  # whom an invitation names; also how many matches make a person's score
DEPTH = 30  # suggestions asked of the matcher per person, before keeping those in the room
INVITE_FACTOR = 2  # invitations per seat: about half of those invited answer yes
INTEREST_FIELDS = ("interests", "description", "offers", "needs", "goals")


class Suggests(Protocol):
    def suggest(self, subscriber_id: str, top: int = 5) -> Sequence[Any]: ...


def likely_attendees(session: Session, event: Event) -> list[str]:
    """Active, discoverable subscribers of the event's tenant that fit its audience (region, industries as
    NAICS prefixes, interests as words in their profile); an empty audience is everyone."""
    audience = event.audience or {}
    query = (
        select(Subscriber.id, Profile)
        .join(Profile, Profile.subscriber_id == Subscriber.id)
        .where(Subscriber.tenant == event.tenant, Subscriber.status == "active")
    )
    if audience.get("region"):
        query = query.where(Profile.region == audience["region"])
    rows = [(sid, profile) for sid, profile in session.execute(query) if fits_audience(profile, audience)]
    allowed = eligibility.discoverable(session, [sid for sid, _ in rows])
    return sorted(sid for sid, _ in rows if sid in allowed and sid != event.host_id)


def fits_audience(profile: Profile, audience: dict[str, Any]) -> bool:
    """Whether a profile is in an audience (its region is checked here too, for single profiles)."""
    if audience.get("region") and profile.region != audience["region"]:
        return False
    industries = audience.get("industries") or []
    if industries and not any((profile.naics_code or "").startswith(str(i)) for i in industries):
        return False
    interests = audience.get("interests") or []
    if not interests:
        return True
    text = " ".join(str(getattr(profile, name) or "") for name in INTEREST_FIELDS).lower()
    return any(word in text for word in interests)


@dataclass(frozen=True)
class _Match:
    subscriber_id: str
    business_name: str
    score: float
    reasons: list[str]
    parts: dict[str, float]


def rank_room(matcher: Suggests, pool: Sequence[str], *, invite: int) -> list[Invitee]:
    """The ``invite`` people who would gain most from this room, best first, with whom they would meet."""
    room = set(pool)
    matches = {sid: _in_room(matcher, sid, room) for sid in pool}
    ranked = sorted(pool, key=lambda sid: (-_score(matches[sid]), sid))
    chosen = [sid for sid in ranked if matches[sid]][:invite]
    picked = set(chosen)
    out = []
    for sid in chosen:
        meets = [m for m in matches[sid] if m.subscriber_id in picked][:PER_PERSON]
        out.append(Invitee(sid, round(_score(meets), 4), [_meet(m) for m in meets]))
    return out


def _in_room(matcher: Suggests, subscriber_id: str, room: set[str]) -> list[_Match]:
    try:
        found = matcher.suggest(subscriber_id, top=DEPTH)
    except NotFound:  # no profile to match on yet
        return []
    return [
        _Match(
            str(s.subscriber_id),
            str(s.business_name),
            float(s.score),
            [str(r) for r in s.reasons],
            {str(k): float(v) for k, v in (getattr(s, "parts", None) or {}).items()},
        )
        for s in found
        if s.subscriber_id in room
    ]


def _score(matches: Sequence[_Match]) -> float:
    return sum(m.score for m in matches[:PER_PERSON])


def _meet(match: _Match) -> dict[str, Any]:
    return {
        "subscriber_id": match.subscriber_id,
        "business_name": match.business_name,
        "reasons": match.reasons[:2],
    }


def plan(db: Database, matcher: Suggests, event_id: str, *, invite: int | None = None) -> list[Invitee]:
    """Whom ``event_id`` should invite (``capacity × 2`` people by default), ranked; nothing is written."""
    with db.read() as session:
        event = events.require(session, event_id)
        pool = likely_attendees(session, event)
        wanted = invite or event.capacity * INVITE_FACTOR
    return rank_room(matcher, pool, invite=wanted)


def pairings(matcher: Suggests, attendees: Sequence[str]) -> dict[str, list[Pairing]]:
    """Each attendee's strongest complementary fits among the other attendees (up to three)."""
    room = set(attendees)
    out = {}
    for sid in attendees:
        found = _in_room(matcher, sid, room)[:PER_ATTENDEE]
        out[sid] = [Pairing(m.subscriber_id, m.score, m.parts, m.reasons) for m in found]
    return out
