"""Fraud checks on a recorded deal: self-referral, duplicate deal, circular referral rings, velocity.

Each check returns reasons (``{"code": …, "detail": …}``); any reason puts the incentive on hold for a person
to review. Nothing here pays or refuses on its own, and the caller writes every decision to the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network.models import Deal, DealState, Referral
from ossbss.rewards import FraudRules

Reason = dict[str, Any]
MAX_RING_EXPANSIONS = 500  # bounds the ring search on very connected givers


class FraudCheck:
    def __init__(self, rules: FraudRules, clock: Callable[[], datetime]) -> None:
        self.rules = rules
        self.clock = clock

    def reasons(self, session: Session, deal: Deal) -> list[Reason]:
        found: list[Reason] = []
        found += self.self_referral(session, deal)
        found += self.duplicate(session, deal)
        found += self.ring(session, deal)
        found += self.velocity(session, deal)
        return found

    def self_referral(self, session: Session, deal: Deal) -> list[Reason]:
        if deal.giver_id is not None and deal.giver_id == deal.receiver_id:
            return [{"code": "self_referral", "detail": "the giver and the receiver are the same subscriber"}]
        referral = session.get(Referral, deal.referral_id) if deal.referral_id else None
        if referral is not None and referral.prospect_subscriber_id == deal.giver_id:
            return [{"code": "self_referral", "detail": "the giver referred themselves as the prospect"}]
        return []

    def duplicate(self, session: Session, deal: Deal) -> list[Reason]:
        others = session.scalars(
            select(Deal.id).where(
                Deal.fingerprint == deal.fingerprint,
                Deal.id != deal.id,
                Deal.state != DealState.VOIDED.value,
            )
        ).all()
        if not others:
            return []
        return [
            {
                "code": "duplicate_deal",
                "detail": "same deal recorded under another key",
                "deals": list(others),
            }
        ]

    def velocity(self, session: Session, deal: Deal) -> list[Reason]:
        if deal.giver_id is None:
            return []
        now = self.clock()
        reasons: list[Reason] = []
        since = now - timedelta(hours=self.rules.velocity_window_hours)
        by_giver = self._count(session, since, Deal.giver_id == deal.giver_id)
        if by_giver > self.rules.velocity_max_deals:
            reasons.append({"code": "velocity", "detail": f"{by_giver} deals for this giver in the window"})
        since = now - timedelta(days=self.rules.pair_window_days)
        pair = self._count(
            session, since, Deal.giver_id == deal.giver_id, Deal.receiver_id == deal.receiver_id
        )
        if pair > self.rules.pair_max_deals:
            reasons.append(
                {"code": "pair_velocity", "detail": f"{pair} deals between the same two subscribers"}
            )
        return reasons

    def _count(self, session: Session, since: datetime, *where: Any) -> int:
        query = select(func.count()).select_from(Deal).where(Deal.created_at >= since, *where)
        return int(session.scalar(query) or 0)

    def ring(self, session: Session, deal: Deal) -> list[Reason]:
        """A chain of referrals or deals leading from the receiver back to the giver closes a ring."""
        if deal.giver_id is None or deal.giver_id == deal.receiver_id:
            return []
        since = self.clock() - timedelta(days=self.rules.ring_window_days)
        edges = _Edges(session, since)
        path = _find_path(edges, deal.receiver_id, deal.giver_id, self.rules)
        if path is None:
            return []
        ring = [deal.giver_id, *path]
        return [{"code": "circular_ring", "detail": f"a ring of {len(ring) - 1} subscribers", "ring": ring}]


class _Edges:
    """Who each subscriber gave referrals or deals to, within the window (loaded lazily, cached)."""

    def __init__(self, session: Session, since: datetime) -> None:
        self._session = session
        self._since = since
        self._cache: dict[str, list[str]] = {}
        self.expansions = 0

    def out(self, node: str) -> list[str]:
        if node not in self._cache:
            self.expansions += 1
            referred = select(Referral.receiver_id).where(
                Referral.giver_id == node, Referral.created_at >= self._since
            )
            dealt = select(Deal.receiver_id).where(Deal.giver_id == node, Deal.created_at >= self._since)
            targets = set(self._session.scalars(referred)) | set(self._session.scalars(dealt))
            self._cache[node] = sorted(targets)
        return self._cache[node]


def _find_path(edges: _Edges, start: str, goal: str, rules: FraudRules) -> list[str] | None:
    """A simple path start → … → goal whose ring (path + the new edge) has an allowed length."""
    shortest, longest = rules.ring_min_length - 1, rules.ring_max_length - 1
    stack: list[list[str]] = [[start]]
    while stack:
        path = stack.pop()
        if edges.expansions > MAX_RING_EXPANSIONS:
            return None
        for nxt in edges.out(path[-1]):
            hops = len(path)
            if nxt == goal:
                if shortest <= hops <= longest:
                    return [*path, goal]
                continue
            if nxt not in path and hops < longest:
                stack.append([*path, nxt])
    return None
