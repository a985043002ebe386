"""The digest: per subscriber, only what is new since their last one — and whether to send it now.

What is new: matches suggested to them, introductions waiting for their answer, referral updates, deals
crediting them, incentives, event invitations. The decision honours opt-out, frequency, quiet hours in
their own time zone, a reachable chat (web chat has no push), and WhatsApp's 24-hour window: outside it a
digest goes only as an approved template (``LAYER8_WHATSAPP_TEMPLATES``: ``digest_<kind>`` for the kind it
leads with, else ``digest``, else ``default``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from network.directory import business_names
from network.models import (
    ChannelIdentity,
    Deal,
    DigestDelivery,
    DigestPreference,
    Event,
    EventInvitation,
    Incentive,
    Introduction,
    InvitationState,
    Referral,
    Subscriber,
)
from network.money import Money
from network.services import linking

PUSH_CHANNELS = ("slack", "whatsapp")
WINDOW = timedelta(hours=24)
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


@dataclass
class Decision:
    subscriber_id: str
    send: bool
    reason: (
        str  # "new" | "opted_out" | "not_due" | "nothing_new" | "unreachable" | "no_template" | "quiet_hours"
    )
    items: list[Item] = field(default_factory=list)
    channel: str | None = None
    template: str | None = None
    purpose: str = "digest"


def preference(session: Session, subscriber_id: str) -> DigestPreference:
    """The subscriber's settings (defaults when they never chose: weekly, quiet 21:00–08:00 UTC)."""
    return session.get(DigestPreference, subscriber_id) or _default(subscriber_id)


def _default(subscriber_id: str) -> DigestPreference:
    return DigestPreference(
        subscriber_id=subscriber_id,
        opted_out=False,
        frequency_days=7,
        time_zone="UTC",
        quiet_from=21,
        quiet_to=8,
    )


def last_sent(session: Session, subscriber_id: str) -> datetime | None:
    return _last_sent(session, [subscriber_id]).get(subscriber_id)


def _last_sent(session: Session, ids: list[str]) -> dict[str, datetime]:
    query = (
        select(DigestDelivery.subscriber_id, func.max(DigestDelivery.sent_at))
        .where(DigestDelivery.subscriber_id.in_(ids))
        .group_by(DigestDelivery.subscriber_id)
    )
    return {sid: _aware(at) for sid, at in session.execute(query).tuples() if at is not None}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def decide(session: Session, subscriber_id: str, now: datetime, templates: dict[str, str]) -> Decision:
    """Whether ``subscriber_id`` gets a digest at ``now``, and with what."""
    return decide_page(session, [subscriber_id], now, templates)[0]


def decide_page(session: Session, ids: list[str], now: datetime, templates: dict[str, str]) -> list[Decision]:
    """:func:`decide` for a page of subscribers with a handful of queries (not a dozen per subscriber)."""
    prefs = {
        p.subscriber_id: p
        for p in session.scalars(select(DigestPreference).where(DigestPreference.subscriber_id.in_(ids)))
    }
    lasts = _last_sent(session, ids)
    decided: dict[str, Decision] = {}
    since: dict[str, datetime] = {}
    for sid in ids:
        pref = prefs.get(sid) or _default(sid)
        last = lasts.get(sid)
        if pref.opted_out:
            decided[sid] = Decision(sid, False, "opted_out")
        elif last is not None and now - last < timedelta(days=pref.frequency_days):
            decided[sid] = Decision(sid, False, "not_due")
        else:
            since[sid] = last or now - timedelta(days=pref.frequency_days)
    items = collect_many(session, since, now)
    wanted = [sid for sid in since if items[sid]]
    identities = linking.latest_identities(session, wanted, PUSH_CHANNELS)
    for sid in since:
        pref = prefs.get(sid) or _default(sid)
        decided[sid] = _route(sid, items[sid], identities.get(sid), pref, now, templates)
    return [decided[sid] for sid in ids]


def _route(
    sid: str,
    items: list[Item],
    identity: ChannelIdentity | None,
    pref: DigestPreference,
    now: datetime,
    templates: dict[str, str],
) -> Decision:
    """A due subscriber's decision: their channel, WhatsApp's window and template, their quiet hours."""
    if not items:
        return Decision(sid, False, "nothing_new")
    decision = Decision(sid, False, "new", items)
    if identity is None:
        decision.reason = "unreachable"
        return decision
    decision.channel = identity.channel
    decision.purpose = f"digest_{items[0].kind}" if f"digest_{items[0].kind}" in templates else "digest"
    inside = identity.last_inbound_at is not None and now - identity.last_inbound_at < WINDOW
    if identity.channel == "whatsapp" and not inside:
        decision.template = templates.get(decision.purpose) or templates.get("default")
        if decision.template is None:
            decision.reason = "no_template"
            return decision
    if _quiet(pref, now):
        decision.reason = "quiet_hours"
        return decision
    decision.send = True
    return decision


def _quiet(pref: DigestPreference, now: datetime) -> bool:
    hour = now.astimezone(ZoneInfo(pref.time_zone)).hour
    start, end = pref.quiet_from, pref.quiet_to
    return start <= hour < end if start < end else hour >= start or hour < end


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
            d.giver_id,
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


def active_subscribers(session: Session, *, tenant: str, after: str = "", limit: int = 1000) -> list[str]:
    """Active subscribers of ``tenant`` in id order, a page at a time (``after``: the last id seen)."""
    query = (
        select(Subscriber.id)
        .where(Subscriber.tenant == tenant, Subscriber.status == "active", Subscriber.id > after)
        .order_by(Subscriber.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def record(
    session: Session, decision: Decision, now: datetime, *, message_ref: str | None = None
) -> DigestDelivery:
    row = DigestDelivery(
        message_ref=message_ref,
        subscriber_id=decision.subscriber_id,
        sent_at=now,
        channel=decision.channel or "none",
        template=decision.template,
        items=[{"kind": i.kind, "id": i.id} for i in decision.items],
    )
    session.add(row)
    session.flush()
    return row
