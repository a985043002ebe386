"""The digest: per subscriber, only what is new since their last one — and whether to send it now.

What is new: matches suggested to them, introductions waiting for their answer, referral updates, deals
crediting them, incentives, event invitations. The decision honours opt-out, frequency, quiet hours in
their own time zone, a reachable chat (web chat has no push), and WhatsApp's 24-hour window: outside it a
digest goes only as an approved template (``LAYER8_WHATSAPP_TEMPLATES``: ``digest_<kind>`` for the kind it
leads with, else ``digest``, else ``default``). The web chat pulls instead: :func:`for_web` when it opens.

A scheduled pass decides a page of subscribers at a time (:func:`decide_page`) with one query per kind of
item, not one per subscriber and kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network.digest_items import Item, collect_many
from network.models import (
    ChannelIdentity,
    DigestDelivery,
    DigestPreference,
    Subscriber,
)
from network.services import linking

PUSH_CHANNELS = ("slack", "whatsapp")
WINDOW = timedelta(hours=24)


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
    # where it goes: (channel, external id, last inbound) as decided, so sending needs no second look-up
    address: tuple[str, str, datetime | None] | None = field(default=None, compare=False, repr=False)


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


def for_web(session: Session, subscriber_id: str, now: datetime) -> Decision | None:
    """The digest for a chat the person has just opened (the web chat, which has no push): opt-out and
    frequency as for a pushed one, but no quiet hours and no window — they are there. None: nothing new."""
    decided = decide(session, subscriber_id, now, {})
    if not decided.items:
        return None
    return Decision(subscriber_id, True, "new", decided.items, channel="web")


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
    decision.address = (identity.channel, identity.external_id, identity.last_inbound_at)
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
