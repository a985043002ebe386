"""An event as a calendar file (RFC 5545, with the ``icalendar`` package): what an invitation attaches.

Invitations on Slack and WhatsApp carry the file itself (a Slack file, a WhatsApp document) and, where the
file cannot go, a link to ``GET /v1/events/{id}/calendar.ics?t=TOKEN``; the token is
derived one-way from the event's stored check-in hash, so it is stable, needs no new secret, reveals nothing
of the door code, and a guessed event id alone fetches nothing. The web chat downloads the same file with
its session (``GET /v1/chat/events/{id}/calendar.ics``).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from network.models import Event

DEFAULT_LENGTH = timedelta(hours=2)
PRODUCT = "-//Layer8//events//EN"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def link_token(event: Event) -> str:
    return hashlib.sha256(f"calendar:{event.checkin_code_hash}".encode()).hexdigest()[:32]


def token_matches(event: Event, token: str) -> bool:
    return hmac.compare_digest(link_token(event).encode(), token.encode("utf-8", "replace"))


def link(event: Event, base_url: str) -> str:
    """The calendar file's address for invitations (``base_url``: ``LAYER8_PUBLIC_BASE_URL``)."""
    return f"{base_url.rstrip('/')}/v1/events/{event.id}/calendar.ics?t={link_token(event)}"


def filename(event: Event) -> str:
    return f"{event.id}.ics"


def ics(event: Event, *, domain: str = "layer8.invalid") -> bytes:
    """The ``.ics`` bytes: start and end in the event's own time zone, the place or the link."""
    zone = ZoneInfo(event.time_zone)
    entry = CalendarEvent()
    entry.add("uid", f"{event.id}@{domain}")
    entry.add("dtstamp", event.created_at)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", (event.ends_at or event.starts_at + DEFAULT_LENGTH).astimezone(zone))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    entry.add("location", event.place or event.online_url or "")
    if event.online_url:
        entry.add("url", event.online_url)
    entry.add("status", "CANCELLED" if event.state == "cancelled" else "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(entry)
    if event.time_zone != "UTC":
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
