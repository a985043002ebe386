"""Ninety days of activity on the seeded network (``layer8 seed``), so a fresh install has a story to show.

Introductions in every state, referrals moving along their pipeline, deals recorded from them, the givers'
incentives going through the hold, the OSS/BSS outbox and reconciliation, a fraud hold (a referral ring) and
a reversal, conversations with feedback, and handoffs to support — some answered, some still waiting; NPS
answers and a few businesses leaving the operator (:mod:`seeding.outcome_history`); a past event whose
guests checked in (:mod:`seeding.event_history`), so every traffic light's inputs have data.

Nothing is written around the rules: each step calls the same domain services the channels call, at its own
moment of the replayed history (:mod:`seeding.timeline`), with ids drawn from the seed, so the same seed
gives the same history on SQLite and PostgreSQL relative to ``now``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from network.actor import Actor
from network.db import Database
from network.ids import seeded_ids
from network.models import (
    ChurnEvent,
    Conversation,
    Deal,
    EventInvitation,
    Incentive,
    Introduction,
    Message,
    NpsResponse,
    Referral,
)
from network.services import introductions
from ossbss.incentives import Incentives
from ossbss.port import OssBss
from ossbss.reconcile import reconcile
from ossbss.relay import Relay
from seeding import event_history, outcome_history
from seeding.members import members
from seeding.stories import Script, Stories
from seeding.timeline import Timeline

DAYS = 90
TICK = time(18, 0)  # the daily jobs: expire stale requests, approve incentives whose hold is over, relay


@dataclass
class HistoryReport:
    steps: int = 0
    refused: list[str] = field(default_factory=list)
    introductions: dict[str, int] = field(default_factory=dict)
    referrals: dict[str, int] = field(default_factory=dict)
    incentives: dict[str, int] = field(default_factory=dict)
    deals: int = 0
    conversations: int = 0
    handed_off: int = 0
    rated: int = 0
    nps_answers: int = 0
    churned: int = 0
    checked_in: int = 0  # guests who came to the seeded event


@dataclass
class Operations:
    """The OSS/BSS parts the daily jobs run (built by the composition root)."""

    incentives: Incentives
    relay: Relay
    bss: OssBss


def seed_history(
    db: Database,
    operations: Operations,
    *,
    seed: int = 7,
    tenant: str = "default",
    days: int = DAYS,
    now: datetime | None = None,
) -> HistoryReport:
    """Replay ``days`` days up to ``now`` (default: this minute) over the tenant's seeded subscribers."""
    end = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    rng = random.Random(f"layer8-history-{seed}")
    with db.read() as session:
        people = members(session, tenant)
    timeline = Timeline(end)
    stories = Stories(db, operations.incentives, timeline, rng, Script.load(), seed=seed)
    stories.tell(people, start=end - timedelta(days=days))
    _daily_jobs(db, operations, timeline, end - timedelta(days=days))
    # planned last, so the stories' and the daily jobs' steps keep their order among themselves
    outcome_history.plan(
        db, timeline, random.Random(f"layer8-outcomes-{seed}"), people, end - timedelta(days=days)
    )
    event_history.plan(
        db, timeline, random.Random(f"layer8-event-{seed}"), people, end - timedelta(days=days)
    )
    with seeded_ids(random.Random(f"layer8-history-ids-{seed}")):
        steps = timeline.replay()
    start = end - timedelta(days=days)
    steps += outcome_history.departures(db, random.Random(f"layer8-departures-{seed}"), people, start, end)
    report = _report(db)
    report.steps, report.refused = steps, timeline.refused
    return report


def _daily_jobs(db: Database, ops: Operations, timeline: Timeline, start: datetime) -> None:
    """What the operator's scheduled jobs do each evening (``layer8 bss relay`` and friends)."""
    day = datetime.combine(start.date(), TICK, tzinfo=UTC)
    while timeline.at(day, _tick(db, ops, reconcile_too=day.weekday() == 0)):
        day += timedelta(days=1)


def _tick(db: Database, ops: Operations, *, reconcile_too: bool) -> Callable[[], None]:
    def run() -> None:
        with db.transaction(Actor.system("introductions")) as session:
            introductions.expire_stale(session)
        with db.transaction(Actor.system("incentive-hold")) as session:
            ops.incentives.approve_due(session)
        ops.relay.run_once()
        if reconcile_too:
            reconcile(db, ops.bss, confirm=ops.incentives.confirm)

    return run


def _report(db: Database) -> HistoryReport:
    with db.read() as session:

        def count(*where: object) -> int:
            return int(session.scalar(select(func.count()).where(*where)) or 0)  # type: ignore[arg-type]

        def states(model: type[Introduction] | type[Referral] | type[Incentive]) -> dict[str, int]:
            rows = session.execute(select(model.state, func.count()).group_by(model.state))
            return dict(sorted((str(state), int(n)) for state, n in rows))

        return HistoryReport(
            introductions=states(Introduction),
            referrals=states(Referral),
            incentives=states(Incentive),
            deals=int(session.scalar(select(func.count()).select_from(Deal)) or 0),
            conversations=int(session.scalar(select(func.count()).select_from(Conversation)) or 0),
            handed_off=count(Conversation.mode == "handed_off"),
            rated=count(Message.feedback.is_not(None)),
            nps_answers=count(NpsResponse.score.is_not(None)),
            churned=int(session.scalar(select(func.count()).select_from(ChurnEvent)) or 0),
            checked_in=count(EventInvitation.checked_in_at.is_not(None)),
        )
