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
    found = session.get(DigestPreference, subscriber_id)
    return found or DigestPreference(
        subscriber_id=subscriber_id,
        opted_out=False,
        frequency_days=7,
        time_zone="UTC",
        quiet_from=21,
        quiet_to=8,
    )


def last_sent(session: Session, subscriber_id: str) -> datetime | None:
    query = select(func.max(DigestDelivery.sent_at)).where(DigestDelivery.subscriber_id == subscriber_id)
    value = session.scalar(query)
    return value if value is None or value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))


def decide(session: Session, subscriber_id: str, now: datetime, templates: dict[str, str]) -> Decision:
    """Whether ``subscriber_id`` gets a digest at ``now``, and with what."""
    pref = preference(session, subscriber_id)
    if pref.opted_out:
        return Decision(subscriber_id, False, "opted_out")
    last = last_sent(session, subscriber_id)
    if last is not None and now - last < timedelta(days=pref.frequency_days):
        return Decision(subscriber_id, False, "not_due")
    items = collect(session, subscriber_id, last or now - timedelta(days=pref.frequency_days), now)
    if not items:
        return Decision(subscriber_id, False, "nothing_new")
    decision = Decision(subscriber_id, False, "new", items)
    identity = linking.latest_identity(session, subscriber_id, PUSH_CHANNELS)
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
    found = (
        _waiting(session, me, since, now)
        + _matches(session, me, since, now)
        + _events(session, me, since, now)
        + _referrals(session, me, since, now)
        + _deals(session, me, since, now)
        + _incentives(session, me, since, now)
    )
    return _named(session, me, found)


Raw = tuple[str, str, dict[str, Any]]  # kind, id, values (``other`` as a subscriber id, named later)


def _waiting(session: Session, me: str, since: datetime, now: datetime) -> list[Raw]:
    rows = session.scalars(
        select(Introduction)
        .where(Introduction.target_id == me, Introduction.state == "requested")
        .where(Introduction.updated_at > since, Introduction.updated_at <= now)
        .order_by(Introduction.updated_at, Introduction.id)
    )
    return [("introduction_waiting", i.id, {"other": i.requester_id}) for i in rows]


def _matches(session: Session, me: str, since: datetime, now: datetime) -> list[Raw]:
    rows = session.scalars(
        select(Introduction)
        .where(Introduction.requester_id == me, Introduction.state == "suggested")
        .where(Introduction.created_at > since, Introduction.created_at <= now)
        .order_by(Introduction.score.desc(), Introduction.id)
        .limit(3)
    )
    return [("match", i.id, {"other": i.target_id, "why": " ".join((i.reasons or [])[:1])}) for i in rows]


def _events(session: Session, me: str, since: datetime, now: datetime) -> list[Raw]:
    rows = session.execute(
        select(EventInvitation, Event)
        .join(Event, Event.id == EventInvitation.event_id)
        .where(EventInvitation.subscriber_id == me, EventInvitation.state == InvitationState.INVITED.value)
        .where(EventInvitation.invited_at > since, EventInvitation.invited_at <= now, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id)
    )
    return [("event", event.id, {"title": event.title, "when": _when(event)}) for _row, event in rows]


def _referrals(session: Session, me: str, since: datetime, now: datetime) -> list[Raw]:
    rows = session.scalars(
        select(Referral)
        .where(or_(Referral.giver_id == me, Referral.receiver_id == me))
        .where(Referral.updated_at > since, Referral.updated_at <= now)
        .order_by(Referral.updated_at, Referral.id)
    )
    return [
        (
            "referral",
            r.id,
            {
                "other": r.receiver_id if r.giver_id == me else r.giver_id,
                "prospect": r.prospect_name or "a prospect",
                "state": r.state,
            },
        )
        for r in rows
    ]


def _deals(session: Session, me: str, since: datetime, now: datetime) -> list[Raw]:
    rows = session.scalars(
        select(Deal)
        .where(Deal.giver_id == me, Deal.created_at > since, Deal.created_at <= now)
        .order_by(Deal.created_at, Deal.id)
    )
    return [
        ("deal", d.id, {"other": d.receiver_id, "amount": Money(d.amount_minor, d.currency).format()})
        for d in rows
    ]


def _incentives(session: Session, me: str, since: datetime, now: datetime) -> list[Raw]:
    rows = session.scalars(
        select(Incentive)
        .where(Incentive.beneficiary_id == me, Incentive.updated_at > since, Incentive.updated_at <= now)
        .order_by(Incentive.updated_at, Incentive.id)
    )
    return [
        ("incentive", i.id, {"amount": Money(i.amount_minor, i.currency).format(), "state": i.state})
        for i in rows
    ]


def _named(session: Session, me: str, raw: list[Raw]) -> list[Item]:
    names = business_names(session, [str(v["other"]) for _k, _i, v in raw if v.get("other")])
    items = []
    for kind, item_id, values in raw:
        if "other" in values:
            values = values | {
                "other": names.get(str(values["other"]), "a business that has left the network")
            }
        items.append(Item(kind, item_id, TEXTS[kind].format(**values).rstrip(" —")))
    return items


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
