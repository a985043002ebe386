"""Events on SQLite and PostgreSQL: seats, the waiting list moving up, check-in by host or code, closing."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from network.db import Database
from network.errors import Conflict, InvalidInput, NotFound
from network.event_calendar import ics
from network.models import EventInvitation
from network.services import events
from tests.events.builders import SOON, make_event
from tests.network.helpers import make_subscribers


def _states(db: Database, event_id: str) -> dict[str, str]:
    with db.read() as session:
        return {r.subscriber_id: r.state for r in events.invitations(session, event_id)}


def _rsvp(db: Database, event_id: str, who: str, going: bool) -> EventInvitation:
    with db.transaction() as session:
        return events.rsvp(session, event_id, who, going=going)


def test_a_full_event_waitlists_and_a_cancellation_moves_the_longest_waiting_up(db: Database) -> None:
    a, b, c, d = make_subscribers(db, "Ana Bakes", "Bo Plumbing", "Cy Print", "Di Florist")
    event_id, _ = make_event(db, capacity=2)
    for who in (a, b, c, d):
        _rsvp(db, event_id, who, True)
    assert _states(db, event_id) == {a: "going", b: "going", c: "waitlisted", d: "waitlisted"}

    _rsvp(db, event_id, b, False)

    assert _states(db, event_id) == {a: "going", b: "cancelled", c: "going", d: "waitlisted"}
    with db.read() as session:
        assert events.seats_taken(session, event_id) == 2
        assert events.counts(session, event_id)["waitlisted"] == 1


def test_saying_no_before_answering_declines_and_yes_twice_keeps_one_seat(db: Database) -> None:
    a, b = make_subscribers(db, "Ana Bakes", "Bo Plumbing")
    event_id, _ = make_event(db, capacity=1)
    _rsvp(db, event_id, a, False)
    _rsvp(db, event_id, b, True)
    _rsvp(db, event_id, b, True)
    assert _states(db, event_id) == {a: "declined", b: "going"}
    assert _rsvp(db, event_id, a, True).state == "waitlisted"  # changed their mind: the event is full


def test_check_in_with_the_code_or_by_the_host(db: Database) -> None:
    host, a, b, c = make_subscribers(db, "Hal Host", "Ana Bakes", "Bo Plumbing", "Cy Print")
    event_id, code = make_event(db, capacity=3, host_id=host)
    for who in (a, b):
        _rsvp(db, event_id, who, True)
    with db.transaction() as session:
        events.invite(session, event_id, [events.Invitee(c, 1.0, [])])
    with db.transaction() as session, pytest.raises(InvalidInput):
        events.check_in(session, event_id, a, by="code", code="WRONG1")
    with db.transaction() as session:
        events.check_in(session, event_id, a, by="code", code=code.lower())
        events.check_in(session, event_id, c, by=f"host:{host}")  # walked in: the host lets them in
        with pytest.raises(NotFound):
            events.check_in(session, event_id, b, by=f"host:{a}")  # not the host
    with db.read() as session:
        assert events.attendees(session, event_id) == sorted([a, c])


def test_a_guest_without_a_seat_cannot_check_in_with_the_code(db: Database) -> None:
    a, b = make_subscribers(db, "Ana Bakes", "Bo Plumbing")
    event_id, code = make_event(db, capacity=1)
    _rsvp(db, event_id, a, True)
    _rsvp(db, event_id, b, True)
    with db.transaction() as session, pytest.raises(Conflict):
        events.check_in(session, event_id, b, by="code", code=code)


def test_a_closed_event_takes_no_answers(db: Database) -> None:
    (a,) = make_subscribers(db, "Ana Bakes")
    event_id, _ = make_event(db)
    with db.transaction() as session:
        events.close(session, event_id)
    with pytest.raises(Conflict):
        _rsvp(db, event_id, a, True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"place": None}, "either a place or an online link"),
        ({"online_url": "https://meet.example/x"}, "either a place or an online link"),
        ({"capacity": 0}, "capacity"),
        ({"time_zone": "Mars/Olympus"}, "time zone"),
    ],
)
def test_an_event_needs_one_place_a_capacity_and_a_real_zone(
    sqlite_db: Database, change: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {
        "title": "Breakfast",
        "starts_at": SOON,
        "capacity": 10,
        "place": "Leeds",
        "time_zone": "Europe/London",
    }
    new = events.NewEvent(**(fields | change))  # type: ignore[arg-type]
    with sqlite_db.transaction() as session, pytest.raises(InvalidInput, match=message):
        events.create(session, new, created_by="test")


@pytest.mark.parametrize(
    ("raw", "zone", "expected"),
    [
        ("2031-01-14T08:00", "Europe/London", "2031-01-14T08:00:00+00:00"),
        ("2031-07-14T08:00", "Europe/London", "2031-07-14T08:00:00+01:00"),
        ("2031-07-14T08:00+02:00", "Europe/London", "2031-07-14T08:00:00+02:00"),
    ],
)
def test_a_typed_start_keeps_its_offset_or_takes_the_events_zone(raw: str, zone: str, expected: str) -> None:
    assert events.typed_start(raw, zone).isoformat() == expected


@pytest.mark.parametrize(
    ("raw", "zone", "message"),
    [("next tuesday", "UTC", "not an ISO-8601"), ("2031-01-14T08:00", "Mars/Olympus", "unknown time zone")],
)
def test_a_typed_start_that_is_not_a_time_is_invalid_input(raw: str, zone: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        events.typed_start(raw, zone)


def test_the_calendar_file_is_in_the_events_zone(sqlite_db: Database) -> None:
    event_id, _ = make_event(sqlite_db)
    with sqlite_db.read() as session:
        raw = ics(events.require(session, event_id))
    entry = next(iter(Calendar.from_ical(raw).walk("VEVENT")))
    assert str(entry["summary"]) == "Leeds breakfast"
    assert str(entry["location"]) == "Corn Exchange, Leeds"
    start = entry.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/London" and start == SOON
    assert b"BEGIN:VTIMEZONE" in raw
