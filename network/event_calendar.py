"""An event as a calendar file (RFC 5545, with the ``icalendar`` package): what an invitation attaches."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from network.models import Event

DEFAULT_LENGTH = timedelta(hours=2)
PRODUCT = "-//Layer8//events//EN"


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
