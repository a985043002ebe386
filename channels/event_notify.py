"""Event messages on each subscriber's own channel: the invitation (whom they would meet, Going / Can't go
buttons), a seat freed from the waiting list, and the reminder the day before. Invitations and reminders
carry the event's calendar file: a Slack file, a WhatsApp document inside the 24-hour window, its link
wherever the file cannot go.

Sent after the inviting transaction commits, as background tasks, through :func:`channels.notify.send`
(Slack DM; WhatsApp interactive buttons inside the 24-hour window, else the template configured for the
purpose ``event_invitation`` / ``event_update``). Web chat has no push: the web chat's ``find_events`` shows
the same invitation with the same buttons when the person next opens it.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import replies
from assistant.messages import Attachment, ListItem, OutboundReply
from channels import notify, texts
from network import event_calendar
from network.directory import business_names
from network.errors import Layer8Error
from network.events import EventBus, after_commit
from network.ids import utcnow
from network.models import Event, EventInvitation, EventState, InvitationState
from network.services import events, one_to_ones
from tools import event_words, phrases

if TYPE_CHECKING:
    from channels.runtime import ChannelRuntime

logger = logging.getLogger(__name__)
REMIND_AHEAD = timedelta(days=1)


def subscribe(bus: EventBus, rt: ChannelRuntime) -> None:
    """Queue each new invitation's message and each waiting-list promotion once they have committed."""

    def on_invited(session: Session, payload: dict[str, Any]) -> None:
        task = {"invitation_id": str(payload["invitation_id"])}
        after_commit(session, lambda: rt.queue.submit("notify.event_invitation", task))

    def on_promoted(session: Session, payload: dict[str, Any]) -> None:
        task = {"event_id": str(payload["event_id"]), "subscriber_id": str(payload["subscriber_id"])}
        after_commit(session, lambda: rt.queue.submit("notify.event_promoted", task))

    def on_one_to_ones(session: Session, payload: dict[str, Any]) -> None:
        task = {"event_id": str(payload["event_id"]), "subscriber_id": str(payload["subscriber_id"])}
        after_commit(session, lambda: rt.queue.submit("notify.event_one_to_ones", task))

    bus.subscribe("event.invited", on_invited)
    bus.subscribe("event.promoted", on_promoted)
    bus.subscribe("event.one_to_ones", on_one_to_ones)


def invitation_reply(event: Event, row: EventInvitation, calendar_url: str | None = None) -> OutboundReply:
    """``You're invited: …`` with whom they would meet, the RSVP buttons (text fallback numbers them) and,
    given its link, the calendar file."""
    lines = [phrases.EVENT_INVITED.format(line=event_words.line(event))]
    meet = event_words.meets(list(row.reasons or []))
    if meet:
        lines.append(meet)
    reply = OutboundReply("\n".join(lines), buttons=replies.rsvp_buttons(event.id))
    if calendar_url:
        reply.attachment = calendar_file(event, calendar_url)
    return reply


def calendar_file(event: Event, url: str) -> Attachment:
    """The event's ``.ics`` as a file for Slack and WhatsApp, its link wherever the file cannot go."""
    return Attachment(
        event_calendar.filename(event),
        event_calendar.MEDIA_TYPE,
        event_calendar.ics(event),
        texts.CALENDAR_LINK.format(url=url),
    )


def run_invitation(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    deliver_invitation(rt, task["invitation_id"])


def deliver_invitation(rt: ChannelRuntime, invitation_id: str) -> str | None:
    """Send one invitation (still unanswered) on the subscriber's channel; the channel, or None."""
    with rt.db.read() as session:
        row = session.get(EventInvitation, invitation_id)
        event = session.get(Event, row.event_id) if row is not None else None
        if row is None or event is None or row.state != InvitationState.INVITED:
            return None
        url = event_calendar.link(event, rt.settings.public_base_url)
        reply, subscriber_id = invitation_reply(event, row, url), row.subscriber_id
    return _send(rt, subscriber_id, reply, "event_invitation")


def run_promoted(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    with rt.db.read() as session:
        event = events.require(session, task["event_id"])
        text = phrases.WAITLIST_PROMOTED.format(title=event.title, when=event_words.when(event))
    _send(rt, task["subscriber_id"], OutboundReply(text), "event_update")


def one_to_ones_reply(session: Session, event: Event, subscriber_id: str) -> OutboundReply | None:
    """The attendee's suggested one-to-ones (those they would ask), as a list to pick from."""
    suggested = [
        i
        for i in one_to_ones.for_attendee(session, event.id, subscriber_id)
        if i.requester_id == subscriber_id
    ]
    if not suggested:
        return None
    names = business_names(session, [i.target_id for i in suggested])
    lines = [
        phrases.ONE_TO_ONE_LINE.format(
            business=names.get(i.target_id, "?"), why=" ".join((i.reasons or [])[:1])
        )
        for i in suggested
    ]
    text = (
        phrases.ONE_TO_ONES.format(title=event.title, lines="\n".join(lines))
        + "\n"
        + phrases.ONE_TO_ONES_HINT
    )
    items = [
        ListItem(i.target_id, names.get(i.target_id, "?"), " ".join((i.reasons or [])[:1])) for i in suggested
    ]
    return OutboundReply(text, items=items)


def run_one_to_ones(rt: ChannelRuntime, task: dict[str, Any]) -> None:
    with rt.db.read() as session:
        reply = one_to_ones_reply(session, events.require(session, task["event_id"]), task["subscriber_id"])
    if reply is not None:
        _send(rt, task["subscriber_id"], reply, "event_update")


def send_follow_ups(rt: ChannelRuntime) -> int:
    """Ask both sides of each accepted one-to-one, a week on, what came of it (once); returns how many."""
    now = utcnow()
    messages = []
    with rt.db.transaction() as session:
        for row, intro in one_to_ones.due_follow_ups(session, now=now):
            row.followed_up_at = now
            event = events.require(session, row.event_id)
            names = business_names(session, [intro.requester_id, intro.target_id])
            for me, other in ((intro.requester_id, intro.target_id), (intro.target_id, intro.requester_id)):
                text = phrases.FOLLOW_UP.format(other=names.get(other, "?"), title=event.title)
                messages.append((me, OutboundReply(text)))
    for subscriber_id, reply in messages:
        _send(rt, subscriber_id, reply, "event_update")
    return len(messages)


def send_reminders(rt: ChannelRuntime) -> int:
    """Remind everyone going to an event that starts within a day (once each); returns how many."""
    now = utcnow()
    with rt.db.transaction() as session:
        due = session.execute(
            select(Event, EventInvitation)
            .join(EventInvitation, EventInvitation.event_id == Event.id)
            .where(
                Event.state == EventState.OPEN.value,
                Event.starts_at > now,
                Event.starts_at <= now + REMIND_AHEAD,
                EventInvitation.state == InvitationState.GOING.value,
                EventInvitation.reminded_at.is_(None),
            )
        ).all()
        messages = []
        for event, row in due:
            row.reminded_at = now
            text = phrases.EVENT_REMINDER.format(line=event_words.line(event))
            reply = OutboundReply(text, buttons=replies.rsvp_buttons(event.id))
            reply.attachment = calendar_file(event, event_calendar.link(event, rt.settings.public_base_url))
            messages.append((row.subscriber_id, reply))
    for subscriber_id, reply in messages:
        _send(rt, subscriber_id, reply, "event_update")
    return len(messages)


def _send(rt: ChannelRuntime, subscriber_id: str, reply: OutboundReply, purpose: str) -> str | None:
    try:
        return notify.send(rt, subscriber_id, reply, purpose=purpose)
    except Layer8Error as exc:
        logger.warning("event message not delivered: %s", exc.code)
    except SlackApiError as exc:
        logger.warning("event message not delivered on Slack: %s", exc.response.get("error"))
    return None
