"""A past networking event in the demo history, so the traffic lights' "events attended" has data.

Three weeks before the history ends, a breakfast in the locality with the most members: created a fortnight
ahead, the members who had joined by then invited (up to :data:`INVITED`), most answering Going, most of those
checking in at the door with its code, then closed. Each step goes through :mod:`network.services.events` at
its own moment, with its own seeded ids (so the stories' records keep theirs); who answers and who comes is
drawn from the seed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timedelta

from network.actor import Actor
from network.db import Database
from network.ids import seeded_ids
from network.services import events
from seeding.members import Member
from seeding.timeline import Timeline

INVITED, GOING_SHARE, CAME_SHARE = 24, 0.75, 0.8
DAYS_BEFORE_END, NOTICE_DAYS = 21, 14
OPERATOR = Actor.admin("seed")


def plan(db: Database, timeline: Timeline, rng: random.Random, people: list[Member], start: datetime) -> None:
    """Plan the event's steps on ``timeline`` (none when the history, from ``start``, is too short)."""
    day = (timeline.now - timedelta(days=DAYS_BEFORE_END)).date()
    starts = datetime.combine(day, time(8, 0), tzinfo=timeline.now.tzinfo)
    announced = starts - timedelta(days=NOTICE_DAYS)
    local = Counter(p.locality for p in people if p.locality).most_common(1)
    where = local[0][0] if local else "Leeds"
    guests = [p.id for p in people if p.locality == where and p.joined < announced][:INVITED]
    if not guests or announced < start:
        return
    state: dict[str, str] = {}
    timeline.at(announced, _own_ids(_create(db, state, starts, where, guests), "create"))
    for guest in guests:
        answer, came = rng.random(), rng.random()
        if answer >= GOING_SHARE:
            continue
        replied = announced + timedelta(days=rng.uniform(0.5, NOTICE_DAYS - 1))
        timeline.at(replied, _own_ids(_rsvp(db, state, guest), f"rsvp-{guest}"))
        if came < CAME_SHARE:
            arrived = starts + timedelta(minutes=rng.uniform(0, 40))
            timeline.at(arrived, _own_ids(_check_in(db, state, guest), f"checkin-{guest}"))
    timeline.at(starts + timedelta(hours=3), _own_ids(_close(db, state), "close"))


def _own_ids(step: Callable[[], None], key: str) -> Callable[[], None]:
    def run() -> None:
        with seeded_ids(random.Random(f"layer8-event-ids-{key}")):
            step()

    return run


def _create(
    db: Database, state: dict[str, str], starts: datetime, where: str, guests: list[str]
) -> Callable[[], None]:
    def run() -> None:
        new = events.NewEvent(
            title=f"{where} business breakfast",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=len(guests),
            time_zone="Europe/London",
            place=f"{where} Corn Exchange",
            description="Members meet the businesses they were matched with, over coffee.",
            audience={"region": where},
        )
        with db.transaction(OPERATOR) as session:
            event, code = events.create(session, new, created_by="seed")
            events.invite(session, event.id, [events.Invitee(g, 1.0, []) for g in guests])
        state["event_id"], state["code"] = event.id, code

    return run


def _rsvp(db: Database, state: dict[str, str], guest: str) -> Callable[[], None]:
    def run() -> None:
        with db.transaction(Actor.subscriber(guest)) as session:
            events.rsvp(session, state["event_id"], guest, going=True)

    return run


def _check_in(db: Database, state: dict[str, str], guest: str) -> Callable[[], None]:
    def run() -> None:
        with db.transaction(Actor.subscriber(guest)) as session:
            events.check_in(session, state["event_id"], guest, by="code", code=state["code"])

    return run


def _close(db: Database, state: dict[str, str]) -> Callable[[], None]:
    def run() -> None:
        with db.transaction(OPERATOR) as session:
            events.close(session, state["event_id"])

    return run
