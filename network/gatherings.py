"""Events, one-to-ones and the digest in the metrics: did people come, meet again, and answer the digest.

- **attendance**: events that started in the period; of those who said yes (going, cancelled later, or
  came), the share who checked in.
- **one-to-ones**: suggested after events in the period (by when they were suggested); accepted (both
  sides agreed to meet), a time agreed (one proposed, the other accepted), followed up a week later.
- **digest**: digests sent in the period; opened (a WhatsApp read status, shown in the web chat, or acted on)
  and acted on (a button pressed on it or a reply to it), per channel too. Slack does not report reads, so
  ``opened_rate`` is over the channels that do (WhatsApp and the web chat).

A record belongs to the scope when its subscriber does (the invitee, the one-to-one's requester, the
digest's recipient).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from network.metrics_shapes import Attendance, DigestEngagement, Gatherings, OneToOnes
from network.models import DigestDelivery, Event, EventInvitation, EventOneToOne, Introduction

RULE = (
    "Attendance: checked in / said yes, for events that started in the period. One-to-ones: suggested "
    "after events in the period; accepted, time agreed, followed up. Digest: opened = a WhatsApp read "
    "status or acted on; acted = a button on it pressed or a reply to it; opened rate on WhatsApp only."
)
YES = ("going", "cancelled", "attended")


def gatherings(session: Session, members: Select[Any], since: datetime, until: datetime) -> Gatherings:
    return Gatherings(
        attendance=_attendance(session, members, since, until),
        one_to_ones=_one_to_ones(session, members, since, until),
        digest=_digest(session, members, since, until),
        rule=RULE,
    )


def _attendance(session: Session, members: Select[Any], since: datetime, until: datetime) -> Attendance:
    started = and_(Event.starts_at >= since, Event.starts_at < until)
    events = int(session.scalar(select(func.count()).select_from(Event).where(started)) or 0)
    rows = session.execute(
        select(EventInvitation.state, func.count())
        .join(Event, Event.id == EventInvitation.event_id)
        .where(started, EventInvitation.subscriber_id.in_(members))
        .group_by(EventInvitation.state)
    ).all()
    states = {str(state): int(n) for state, n in rows}
    said_yes = sum(states.get(s, 0) for s in YES)
    attended = states.get("attended", 0)
    return Attendance(
        events=events,
        invited=sum(states.values()),
        said_yes=said_yes,
        attended=attended,
        attendance_rate=_rate(attended, said_yes),
    )


def _one_to_ones(session: Session, members: Select[Any], since: datetime, until: datetime) -> OneToOnes:
    row = session.execute(
        select(
            func.count(),
            func.count(Introduction.decided_at).filter(Introduction.state == "accepted"),
            func.count(EventOneToOne.agreed_at),
            func.count(EventOneToOne.followed_up_at),
        )
        .select_from(EventOneToOne)
        .join(Introduction, Introduction.id == EventOneToOne.introduction_id)
        .where(EventOneToOne.created_at >= since, EventOneToOne.created_at < until)
        .where(Introduction.requester_id.in_(members))
    ).one()
    suggested, accepted, agreed, followed = (int(v or 0) for v in row)
    return OneToOnes(suggested=suggested, accepted=accepted, time_agreed=agreed, followed_up=followed)


READS_REPORTED = ("whatsapp", "web")  # channels that tell whether a digest was seen


def _digest(session: Session, members: Select[Any], since: datetime, until: datetime) -> DigestEngagement:
    rows = session.execute(
        select(
            DigestDelivery.channel,
            func.count(),
            func.count(DigestDelivery.opened_at),
            func.count(DigestDelivery.acted_at),
        )
        .where(DigestDelivery.sent_at >= since, DigestDelivery.sent_at < until)
        .where(DigestDelivery.subscriber_id.in_(members))
        .group_by(DigestDelivery.channel)
        .order_by(DigestDelivery.channel)
    ).all()
    by_channel = {str(c): {"sent": int(s), "opened": int(o), "acted": int(a)} for c, s, o, a in rows}
    sent = sum(v["sent"] for v in by_channel.values())
    acted = sum(v["acted"] for v in by_channel.values())
    readable = [by_channel[c] for c in READS_REPORTED if c in by_channel]
    return DigestEngagement(
        sent=sent,
        opened=sum(v["opened"] for v in by_channel.values()),
        acted=acted,
        opened_rate=_rate(sum(v["opened"] for v in readable), sum(v["sent"] for v in readable)),
        acted_rate=_rate(acted, sent),
        by_channel=by_channel,
    )


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
