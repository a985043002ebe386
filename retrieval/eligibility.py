"""What the records say about who may be indexed and suggested: consent, blocks, past introductions,
exposure and trust. Read-only queries, batched over a set of candidate ids.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network.models import (
    Block,
    ConsentKind,
    ConsentRecord,
    Introduction,
    IntroductionState,
    Profile,
    Referral,
    ReferralState,
)
from network.services.introductions import DECLINE_COOLDOWN
from network.services.profile_review import HELD

ACTIVE_INTRODUCTION = (IntroductionState.REQUESTED.value, IntroductionState.ACCEPTED.value)
EXPOSURE_WINDOW = timedelta(days=7)
IN_CHUNK = 500  # bound IN (...) lists on both databases


@dataclass(frozen=True)
class TrustStats:
    won_referrals: int = 0
    accepted: int = 0
    declined: int = 0


def _chunks(ids: Collection[str]) -> Iterable[list[str]]:
    items = list(ids)
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]


def discoverable(session: Session, ids: Collection[str] | None = None) -> set[str]:
    """Subscribers whose newest ``discoverable`` consent record grants it (``ids=None``: everyone)."""
    latest: dict[str, bool] = {}
    chunks: Iterable[list[str] | None] = _chunks(ids) if ids is not None else [None]
    for chunk in chunks:
        query = select(ConsentRecord.subscriber_id, ConsentRecord.granted, ConsentRecord.at).where(
            ConsentRecord.kind == ConsentKind.DISCOVERABLE.value
        )
        if chunk is not None:
            query = query.where(ConsentRecord.subscriber_id.in_(chunk))
        for subscriber_id, granted, _at in session.execute(query.order_by(ConsentRecord.at)):
            latest[subscriber_id] = bool(granted)
    granted = {subscriber_id for subscriber_id, granted in latest.items() if granted}
    return granted - held_for_review(session, granted)


def held_for_review(session: Session, ids: Collection[str]) -> set[str]:
    """Whose profile text waits for a person's review (network.services.profile_review): not indexed,
    not suggested, not found by need search until approved."""
    held: set[str] = set()
    for chunk in _chunks(ids):
        query = select(Profile.subscriber_id).where(
            Profile.review_state == HELD, Profile.subscriber_id.in_(chunk)
        )
        held.update(session.scalars(query))
    return held


def excluded_partners(session: Session, subscriber_id: str, now: datetime) -> set[str]:
    """Who must not be suggested to ``subscriber_id``: blocked either way, introduced, recently declined."""
    excluded: set[str] = set()
    blocks = select(Block.blocker_id, Block.blocked_id).where(
        or_(Block.blocker_id == subscriber_id, Block.blocked_id == subscriber_id)
    )
    for blocker, blocked in session.execute(blocks):
        excluded.add(blocked if blocker == subscriber_id else blocker)
    intros = select(
        Introduction.requester_id,
        Introduction.target_id,
        Introduction.state,
        Introduction.decided_at,
        Introduction.updated_at,
    ).where(or_(Introduction.requester_id == subscriber_id, Introduction.target_id == subscriber_id))
    for requester, target, state, decided_at, updated_at in session.execute(intros):
        other = target if requester == subscriber_id else requester
        if state in ACTIVE_INTRODUCTION:
            excluded.add(other)
        elif state == IntroductionState.DECLINED.value:
            when = decided_at or updated_at
            if when is None or now - when < DECLINE_COOLDOWN:
                excluded.add(other)
    return excluded


def exposure(session: Session, ids: Collection[str], now: datetime) -> Counter[str]:
    """How many introductions (any state, suggestions included) named each id as target lately."""
    counts: Counter[str] = Counter()
    since = now - EXPOSURE_WINDOW
    for chunk in _chunks(ids):
        query = select(Introduction.target_id).where(
            Introduction.target_id.in_(chunk), Introduction.created_at >= since
        )
        counts.update(row[0] for row in session.execute(query))
    return counts


def trust(session: Session, ids: Collection[str]) -> dict[str, TrustStats]:
    """Won referrals (given or received) and introduction outcomes (accepted/declined as target)."""
    won: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    for chunk in _chunks(ids):
        referrals = select(Referral.giver_id, Referral.receiver_id).where(
            Referral.state == ReferralState.WON.value,
            or_(Referral.giver_id.in_(chunk), Referral.receiver_id.in_(chunk)),
        )
        members = set(chunk)
        for giver, receiver in session.execute(referrals):
            won.update(x for x in {giver, receiver} if x in members)
        outcomes = select(Introduction.target_id, Introduction.state).where(
            Introduction.target_id.in_(chunk),
            Introduction.state.in_([IntroductionState.ACCEPTED.value, IntroductionState.DECLINED.value]),
        )
        for target, state in session.execute(outcomes):
            (accepted if state == IntroductionState.ACCEPTED.value else declined)[target] += 1
    return {i: TrustStats(won[i], accepted[i], declined[i]) for i in ids}
