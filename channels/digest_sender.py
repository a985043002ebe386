"""``layer8 digest run``: decide and send each subscriber's digest (only what is new), a page at a time.

Slack: a DM with buttons (answer the first waiting introduction, or the first event invitation).
WhatsApp: the same inside the 24-hour window, else the approved template :mod:`network.digest` chose.
Every sent digest is recorded (kinds and ids, no text), so the next run starts after it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from channels import notify
from channels.digest_message import message
from network import digest
from network.errors import Layer8Error
from network.ids import utcnow

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
PAGE = 1000


def run(rt: ChannelRuntime, *, dry_run: bool = False, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every active subscriber's decision (and, unless ``dry_run``, the digests sent and recorded)."""
    now = now or utcnow()
    report: list[dict[str, Any]] = []
    for page in pages(rt):
        report += run_page(rt, page, now=now, dry_run=dry_run)
    return report


def pages(rt: ChannelRuntime, size: int = PAGE) -> Iterator[list[str]]:
    """The tenant's active subscribers, a page of ids at a time (what one scheduled task handles)."""
    after = ""
    while True:
        with rt.db.read() as session:
            page = digest.active_subscribers(session, tenant=rt.settings.tenant, after=after, limit=size)
        if page:
            yield page
        if len(page) < size:
            return
        after = page[-1]


def run_page(
    rt: ChannelRuntime, subscriber_ids: list[str], *, now: datetime, dry_run: bool = False
) -> list[dict[str, Any]]:
    """Decide (and unless ``dry_run`` send and record) the digests of one page of subscribers."""
    templates = dict(rt.settings.whatsapp_templates)
    with rt.db.read() as session:
        decisions = digest.decide_page(session, subscriber_ids, now, templates)
    for decision in decisions:
        if decision.send and not dry_run:
            _deliver(rt, decision, now)
    return [_shown(decision) for decision in decisions]


def _deliver(rt: ChannelRuntime, decision: digest.Decision, now: datetime) -> None:
    try:
        _channel, ref = notify.deliver(
            rt, decision.subscriber_id, message(decision), purpose=decision.purpose, address=decision.address
        )
    except (Layer8Error, SlackApiError) as exc:
        logger.warning("digest not delivered: %s", getattr(exc, "code", type(exc).__name__))
        decision.send, decision.reason = False, "failed"
        return
    with rt.db.transaction() as session:
        digest.record(session, decision, now, message_ref=ref)


def _shown(decision: digest.Decision) -> dict[str, Any]:
    return {
        "subscriber_id": decision.subscriber_id,
        "send": decision.send,
        "reason": decision.reason,
        "channel": decision.channel,
        "template": decision.template,
        "items": [{"kind": i.kind, "text": i.text} for i in decision.items],
    }
