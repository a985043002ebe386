"""What is new for a subscriber since their last digest, as lines of text: matches suggested to them,
introductions waiting for their answer, referral updates, deals crediting them, incentives, event
invitations — most pressing kinds first, at most :data:`MATCHES` matches. Many subscribers at once, each from
their own ``since``, with one query per kind (:func:`collect_many`); :mod:`network.digest` decides the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from network.directory import business_names
from network.models import Deal, Event, EventInvitation, Incentive, Introduction, InvitationState, Referral
from network.money import Money

MATCHES = 3  # new matches shown per digest
KINDS = ("introduction_waiting", "match", "event", "referral", "deal", "incentive")
TEXTS = {
    "match": "New match: {other} — {why}",
    "introduction_waiting": "{other} asked to be introduced to you",
    "referral": "Referral for {prospect} ({other}): now {state}",
    "deal": "{other} recorded a deal of {amount} from your referral",
    "incentive": "Credit of {amount}: {state}",
    "event": "Invitation: {title} — {when}",
}


@dataclass(frozen=True)
class Item:
    kind: str
    id: str
    text: str


def collect(session: Session, me: str, since: datetime, now: datetime) -> list[Item]:
    """What changed for ``me`` in ``(since, now]``, most pressing kinds first."""
    return collect_many(session, {me: since}, now)[me]


Raw = tuple[str, str, dict[str, Any]]  # kind, id, values (``other`` as a subscriber id, named later)
Owned = list[tuple[str, Raw]]  # (whose item it is, the item)


def collect_many(session: Session, since: dict[str, datetime], now: datetime) -> dict[str, list[Item]]:
    """:func:`collect` for many subscribers at once, each from their own ``since``: one query per kind."""
    found: dict[str, list[Raw]] = {sid: [] for sid in since}
    if not since:
        return {}
    low = min(since.values())
    for kind in (_waiting, _matches, _events, _referrals, _deals, _incentives):
        for owner, raw in kind(session, list(since), low, now):
            found[owner].append(raw)
    kept = {owner: _in_window(raws, since[owner]) for owner, raws in found.items()}
    return _named(session, kept)


def _in_window(raws: list[Raw], since: datetime) -> list[Raw]:
    """A subscriber's items after their own ``since``, with at most :data:`MATCHES` matches (best first)."""
    kept, matches = [], 0
    for kind, item_id, values in raws:
        if values.pop("_at") <= since:
            continue
        matches += kind == "match"
        if kind != "match" or matches <= MATCHES:
            kept.append((kind, item_id, values))
    return kept


def _waiting(session: Session, ids: list[str], low: datetime, now: datetime) -> Owned:
    rows = session.scalars(
        select(Introduction)
        .where(Introduction.target_id.in_(ids), Introduction.state == "requested")
        .where(Introduction.updated_at > low, Introduction.updated_at <= now)
        .order_by(Introduction.updated_at, Introduction.id)
    )
    return [
        (i.target_id, ("introduction_waiting", i.id, {"other": i.requester_id, "_at": i.updated_at}))
        for i in rows
    ]


def _matches(session: Session, ids: list[str], low: datetime, now: datetime) -> Owned:
    rows = session.scalars(
        select(Introduction)
        .where(Introduction.requester_id.in_(ids), Introduction.state == "suggested")
        .where(Introduction.created_at > low, Introduction.created_at <= now)
        .order_by(Introduction.score.desc(), Introduction.id)
    )
    return [
        (
            i.requester_id,
            (
                "match",
                i.id,
                {"other": i.target_id, "why": " ".join((i.reasons or [])[:1]), "_at": i.created_at},
            ),
        )
        for i in rows
    ]


def _events(session: Session, ids: list[str], low: datetime, now: datetime) -> Owned:
    rows = session.execute(
        select(EventInvitation, Event)
        .join(Event, Event.id == EventInvitation.event_id)
        .where(EventInvitation.subscriber_id.in_(ids), EventInvitation.state == InvitationState.INVITED.value)
        .where(EventInvitation.invited_at > low, EventInvitation.invited_at <= now, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id)
    )
    return [
        (
            row.subscriber_id,
            ("event", event.id, {"title": event.title, "when": _when(event), "_at": row.invited_at}),
        )
        for row, event in rows
    ]


def _referrals(session: Session, ids: list[str], low: datetime, now: datetime) -> Owned:
    rows = session.scalars(
        select(Referral)
        .where(or_(Referral.giver_id.in_(ids), Referral.receiver_id.in_(ids)))
        .where(Referral.updated_at > low, Referral.updated_at <= now)
        .order_by(Referral.updated_at, Referral.id)
    )
    wanted = set(ids)
    return [
        (
            me,
            (
                "referral",
                r.id,
                {
                    "other": r.receiver_id if r.giver_id == me else r.giver_id,
                    "prospect": r.prospect_name or "a prospect",
                    "state": r.state,
                    "_at": r.updated_at,
                },
            ),
        )
        for r in rows
        for me in (r.giver_id, r.receiver_id)
        if me in wanted
    ]


def _deals(session: Session, ids: list[str], low: datetime, now: datetime) -> Owned:
    rows = session.scalars(
        select(Deal)
        .where(Deal.giver_id.in_(ids), Deal.created_at > low, Deal.created_at <= now)
        .order_by(Deal.created_at, Deal.id)
    )
    return [
        (
            str(d.giver_id),  # never None here: the query asked for these givers
            (
                "deal",
                d.id,
                {"other": d.receiver_id, "amount": _money(d.amount_minor, d.currency), "_at": d.created_at},
            ),
        )
        for d in rows
    ]


def _incentives(session: Session, ids: list[str], low: datetime, now: datetime) -> Owned:
    rows = session.scalars(
        select(Incentive)
        .where(Incentive.beneficiary_id.in_(ids), Incentive.updated_at > low, Incentive.updated_at <= now)
        .order_by(Incentive.updated_at, Incentive.id)
    )
    return [
        (
            i.beneficiary_id,
            (
                "incentive",
                i.id,
                {"amount": _money(i.amount_minor, i.currency), "state": i.state, "_at": i.updated_at},
            ),
        )
        for i in rows
    ]


def _money(minor: int, currency: str) -> str:
    return Money(minor, currency).format()


def _named(session: Session, found: dict[str, list[Raw]]) -> dict[str, list[Item]]:
    others = [str(v["other"]) for raws in found.values() for _k, _i, v in raws if v.get("other")]
    names = business_names(session, others)
    gone = "a business that has left the network"
    named: dict[str, list[Item]] = {}
    for owner, raws in found.items():
        named[owner] = []
        for kind, item_id, values in raws:
            if "other" in values:
                values = values | {"other": names.get(str(values["other"]), gone)}
            named[owner].append(Item(kind, item_id, TEXTS[kind].format(**values).rstrip(" —")))
    return named


def _when(event: Event) -> str:
    local = event.starts_at.astimezone(ZoneInfo(event.time_zone))
    return f"{local:%a} {local.day} {local:%b, %H:%M} ({event.time_zone})"
