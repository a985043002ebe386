"""An event in a person's words: when (in the event's own time zone), where, and what an answer did."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from network.models import Event, InvitationState
from tools import phrases

_ANSWERED = {
    InvitationState.GOING.value: phrases.RSVP_GOING,
    InvitationState.WAITLISTED.value: phrases.RSVP_WAITLISTED,
    InvitationState.DECLINED.value: phrases.RSVP_DECLINED,
    InvitationState.CANCELLED.value: phrases.RSVP_CANCELLED,
    InvitationState.ATTENDED.value: phrases.CHECKED_IN,
}


def when(event: Event) -> str:
    """``Thu 14 Jan 2027, 18:30 (Europe/London)``."""
    local = event.starts_at.astimezone(ZoneInfo(event.time_zone))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({event.time_zone})"


def where(event: Event) -> str:
    return event.place or "online"


def line(event: Event, state: str | None = None) -> str:
    answer = phrases.EVENT_ANSWER.format(state=state) if state else ""
    return phrases.EVENT_LINE.format(title=event.title, when=when(event), where=where(event), answer=answer)


def answered(event: Event, state: str) -> str:
    """What an RSVP or a check-in did, in the server's words."""
    return _ANSWERED.get(state, phrases.RSVP_DECLINED).format(title=event.title, when=when(event))


def meets(reasons: list[dict[str, object]]) -> str:
    """``You'd meet Bo Plumbing and Cy Print: <the first reason>`` ('' when nobody is named)."""
    names = [str(m.get("business_name")) for m in reasons if m.get("business_name")]
    if not names:
        return ""
    first = reasons[0].get("reasons") or []
    why = str(first[0]) if isinstance(first, list) and first else ""
    return phrases.EVENT_MEET.format(names=phrases.and_list(names), why=why).rstrip(": ")
