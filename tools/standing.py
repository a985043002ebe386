"""The person's own traffic light for "how am I doing?": colour, the counts behind it, what would raise it.

It rides on ``my_network`` (no tool of its own: one more tool would crowd the small model's choice). The
light and its counts come from :mod:`network.outcomes.lights`, the same rule the operator's dashboard and
console use; the words are the server's (``prompts/reply_network*.md`` and :mod:`tools.phrases`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from network.ids import utcnow
from network.outcomes import lights
from tools import phrases

NEXT = {"red": "amber", "amber": "green"}


def read(session: Session, subscriber_id: str) -> dict[str, Any] | None:
    """The light as data (what the model is shown and the reply is written from)."""
    found = lights.standing(session, subscriber_id, utcnow())
    if found is None:
        return None
    light, joined = found
    return {
        "colour": light.colour,
        "points": light.points,
        "referrals_given": light.referrals_given,
        "one_to_ones": light.one_to_ones,
        "deals": light.deals,
        "events_attended": light.events,
        "points_to_next_colour": light.to_next,
        "next_colour": NEXT.get(light.colour),
        "coloured_from": (joined + timedelta(days=lights.NEW_DAYS)).date().isoformat(),
    }


def values(standing: dict[str, Any]) -> dict[str, object]:
    """The template values for the light: ``colour``, ``points``, ``counts``, ``next_step``, ``rule``."""
    return {
        "colour": standing["colour"],
        "points": _count(standing["points"], "point"),
        "counts": ", ".join(
            (
                _count(standing["referrals_given"], "referral given", "referrals given"),
                _count(standing["one_to_ones"], "one-to-one"),
                _count(standing["deals"], "deal"),
                _count(standing["events_attended"], "event attended", "events attended"),
            )
        ),
        "next_step": _next_step(standing),
        "rule": phrases.LIGHT_RULE.format(
            green=lights.GREEN, amber=lights.AMBER, below=lights.GREEN - 1, new_days=lights.NEW_DAYS
        ),
    }


def _next_step(standing: dict[str, Any]) -> str:
    colour, needed = standing["colour"], standing["points_to_next_colour"]
    if colour == "grey":
        return phrases.LIGHT_GREY.format(day=standing["coloured_from"])
    if colour == "green":
        return phrases.LIGHT_GREEN
    how = phrases.LIGHT_ONE_DEAL if needed >= 2 else phrases.LIGHT_ONE_POINT
    return phrases.LIGHT_NEXT.format(
        points=_count(needed, "more point"), colour=standing["next_colour"], how=how
    )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"
