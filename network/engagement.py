"""Who was engaged in a window: the one definition churn-by-engagement and the traffic lights share.

A subscriber is **engaged** in ``[since, until)`` when, in that window, they did at least one of: requested
an introduction, or had one accepted with them (a one-to-one: both sides agreed to meet); gave or received a
referral; gave or received a deal (by its closing date); wrote to the assistant (a conversation turn).

Events attended (checked in at the door, by the check-in time) are counted too, for the traffic lights; they
are not part of "engaged", whose definition the churn figures state in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from network.models import (
    Conversation,
    Deal,
    DealState,
    EventInvitation,
    Introduction,
    IntroductionState,
    InvitationState,
    Message,
    Referral,
)

ENGAGED_DAYS = 90  # the window before a departure (or the end of a month) that decides "engaged"


@dataclass(frozen=True, slots=True)
class Activity:
    """Counts per kind for one subscriber in a window."""

    introductions_requested: int = 0
    one_to_ones: int = 0  # introductions accepted, as either side
    introductions_declined: int = 0  # requests made to them that they declined
    referrals_given: int = 0
    referrals_received: int = 0
    deals: int = 0  # as giver or receiver, not voided
    turns: int = 0  # messages they wrote to the assistant
    events_attended: int = 0  # events they checked in at (not part of ``engaged``)

    @property
    def engaged(self) -> bool:
        return any(
            (
                self.introductions_requested,
                self.one_to_ones,
                self.referrals_given,
                self.referrals_received,
                self.deals,
                self.turns,
            )
        )


def activity(session: Session, since: datetime, until: datetime) -> dict[str, Activity]:
    """Every subscriber's activity in ``[since, until)``; subscribers with none are absent."""
    tallies: dict[str, Counter[str]] = {}

    def add(kind: str, ids: Iterable[str | None]) -> None:
        for sid in ids:
            if sid:
                tallies.setdefault(sid, Counter())[kind] += 1

    def during(column: Any) -> Any:
        return and_(column >= since, column < until)

    add(
        "introductions_requested",
        session.scalars(
            select(Introduction.requester_id).where(
                during(Introduction.created_at), Introduction.state != IntroductionState.SUGGESTED.value
            )
        ),
    )
    accepted = session.execute(
        select(Introduction.requester_id, Introduction.target_id).where(
            Introduction.state == IntroductionState.ACCEPTED.value, during(Introduction.decided_at)
        )
    ).all()
    add("one_to_ones", [a for a, _ in accepted] + [b for _, b in accepted])
    add(
        "introductions_declined",
        session.scalars(
            select(Introduction.target_id).where(
                Introduction.state == IntroductionState.DECLINED.value, during(Introduction.decided_at)
            )
        ),
    )
    referrals = session.execute(
        select(Referral.giver_id, Referral.receiver_id).where(during(Referral.created_at))
    ).all()
    add("referrals_given", [g for g, _ in referrals])
    add("referrals_received", [r for _, r in referrals])
    deals = session.execute(
        select(Deal.giver_id, Deal.receiver_id).where(
            Deal.closed_on >= since.date(),
            Deal.closed_on < until.date(),
            Deal.state != DealState.VOIDED.value,
        )
    ).all()
    add("deals", [g for g, _ in deals] + [r for _, r in deals])
    add(
        "turns",
        session.scalars(
            select(Conversation.subscriber_id)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Message.role == "user", during(Message.at))
        ),
    )
    add(
        "events_attended",
        session.scalars(
            select(EventInvitation.subscriber_id).where(
                EventInvitation.state == InvitationState.ATTENDED.value, during(EventInvitation.checked_in_at)
            )
        ),
    )
    return {sid: Activity(**counts) for sid, counts in tallies.items()}


def is_engaged(session: Session, subscriber_id: str, since: datetime, until: datetime) -> bool:
    found = activity(session, since, until).get(subscriber_id)
    return found is not None and found.engaged
