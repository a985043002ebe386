"""Whom an event invites: the audience's likely attendees ranked by the matcher, with whom they'd meet."""

from __future__ import annotations

from network.db import Database
from network.services.events import require
from retrieval.event_invites import likely_attendees, rank_room
from tests.events.builders import ScriptedMatcher, make_event
from tests.retrieval.builders import add_business


def test_the_audience_filters_region_industry_and_interests_and_consent(sqlite_db: Database) -> None:
    leeds_bakery = add_business(
        sqlite_db, "Leeds Bakes", region="Leeds", naics_code="311811", interests="export"
    )
    add_business(sqlite_db, "York Bakes", region="York", naics_code="311811", interests="export")
    add_business(sqlite_db, "Leeds Law", region="Leeds", naics_code="541110", interests="export")
    add_business(sqlite_db, "Quiet Bakes", region="Leeds", naics_code="311812", discoverable=False)
    add_business(sqlite_db, "Local Bakes", region="Leeds", naics_code="311812", interests="local shops")
    event_id, _ = make_event(sqlite_db, region="Leeds", industries=["311"], interests=["Export"])
    with sqlite_db.read() as session:
        assert likely_attendees(session, require(session, event_id)) == [leeds_bakery]


def test_those_who_gain_most_from_the_room_are_invited_and_told_whom_they_would_meet() -> None:
    matcher = ScriptedMatcher(
        {
            "a": [("b", 0.9), ("outsider", 5.0), ("c", 0.5)],
            "b": [("a", 0.8)],
            "c": [("a", 0.3)],
            "d": [("outsider", 2.0)],  # nobody for them in the room
        },
        names={"a": "Ana", "b": "Bo", "c": "Cy"},
    )
    invited = rank_room(matcher, ["a", "b", "c", "d", "e"], invite=2)
    assert [i.subscriber_id for i in invited] == ["a", "b"]
    first = invited[0]
    assert first.score == 0.9  # c was not invited: only b counts now
    assert first.meets == [{"subscriber_id": "b", "business_name": "Bo", "reasons": ["a needs b"]}]
