"""A small network whose outcome metrics are worked out by hand (see test_outcome_metrics.py).

Period 2026-10-01..2026-11-30 (the end of the period is 2026-12-01 00:00 UTC).
A, B, C, D, E joined 2026-08-01; J 10-01; F, G 10-15; I 10-31; K 11-20.
A gave D three referrals (09-15..17), a deal (10-10) and an accepted introduction (10-12): A and D engaged.
G wrote to the assistant on 10-20 (engaged from November). B left 10-11, C 10-21, F 11-14, J 11-10.
NPS: A 10, D 9, B 10, E 7 in October; G 3 and I asked (no answer) in November. A, B, D are in NAICS 311811.
Events: E checked in at three (09-10, 10-05, 11-05) and at a fourth after the period (12-03); A checked in on
10-05; G said going to 10-05 and never came; I declined 11-05.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from network.actor import Actor
from network.db import Database
from network.models import (
    Conversation,
    Deal,
    Event,
    EventInvitation,
    Introduction,
    Message,
    NpsResponse,
    Profile,
    Referral,
    Subscriber,
)
from network.services import memberships
from network.services.subscribers import create_subscriber

START, END = date(2026, 10, 1), date(2026, 11, 30)
JOINED = {
    "A": "2026-08-01",
    "B": "2026-08-01",
    "C": "2026-08-01",
    "D": "2026-08-01",
    "E": "2026-08-01",
    "J": "2026-10-01",
    "F": "2026-10-15",
    "G": "2026-10-15",
    "I": "2026-10-31",
    "K": "2026-11-20",
}
NAMES = {
    "A": "Alpha",
    "B": "Bravo",
    "C": "Charlie",
    "D": "Delta",
    "E": "Echo",
    "F": "Foxtrot",
    "G": "Golf",
    "I": "India",
    "J": "Juliett",
    "K": "Kilo",
}
LEFT = {"B": "2026-10-11", "C": "2026-10-21", "F": "2026-11-14", "J": "2026-11-10"}


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def build(db: Database) -> dict[str, str]:
    ids: dict[str, str] = {}
    with db.transaction(Actor.admin("test")) as session:
        for key, day in JOINED.items():
            subscriber = create_subscriber(session, NAMES[key])
            subscriber.created_at = at(day)
            ids[key] = subscriber.id
        for key in ("A", "D"):
            session.get(Subscriber, ids[key]).last_active_at = at("2026-11-25")  # type: ignore[union-attr]
        for key in ("A", "B", "D"):
            session.get(Profile, ids[key]).naics_code = "311811"  # type: ignore[union-attr]
        a, d = ids["A"], ids["D"]
        for day in ("2026-09-15", "2026-09-16", "2026-09-17"):
            session.add(Referral(giver_id=a, receiver_id=d, state="open", created_at=at(day)))
        session.add(
            Deal(
                receiver_id=d,
                giver_id=a,
                recorded_by="test",
                amount_minor=10000,
                currency="GBP",
                closed_on=date(2026, 10, 10),
                fingerprint="fixture",
            )
        )
        session.add(
            Introduction(
                requester_id=a,
                target_id=d,
                state="accepted",
                created_at=at("2026-10-11"),
                decided_at=at("2026-10-12"),
            )
        )
        talk = Conversation(subscriber_id=ids["G"], channel="web", thread_key="web:fixture")
        session.add(talk)
        session.flush()
        session.add(Message(conversation_id=talk.id, seq=1, role="user", content="hi", at=at("2026-10-20")))
        for key, day, score in (
            ("A", "2026-10-05", 10),
            ("D", "2026-10-06", 9),
            ("E", "2026-10-07", 7),
            ("B", "2026-10-08", 10),
            ("G", "2026-11-02", 3),
            ("I", "2026-11-03", None),
        ):
            session.add(
                NpsResponse(
                    subscriber_id=ids[key],
                    channel="web",
                    state="asked" if score is None else "answered",
                    score=score,
                    asked_at=at(day),
                    scored_at=None if score is None else at(day),
                )
            )
        _events(session, ids)
        session.flush()
        for key, day in LEFT.items():
            subscriber = session.get(Subscriber, ids[key])
            assert subscriber is not None
            memberships.end(session, subscriber, reason="terminated", source="seed", occurred_at=at(day))
    return ids


def _events(session: Session, ids: dict[str, str]) -> None:
    """Who checked in where; only ``attended`` with a check-in time inside the window counts."""
    places = {
        "2026-09-10": [("E", "attended")],
        "2026-10-05": [("E", "attended"), ("A", "attended"), ("G", "going")],
        "2026-11-05": [("E", "attended"), ("I", "declined")],
        "2026-12-03": [("E", "attended")],
    }
    for day, guests in places.items():
        event = Event(
            title=f"Breakfast {day}",
            starts_at=at(day),
            capacity=20,
            checkin_code_hash="0" * 64,
            created_by="test",
        )
        session.add(event)
        session.flush()
        for key, state in guests:
            checked = at(day) if state == "attended" else None
            session.add(
                EventInvitation(
                    event_id=event.id,
                    subscriber_id=ids[key],
                    state=state,
                    invited_at=at("2026-09-01"),
                    checked_in_at=checked,
                )
            )
