"""Other businesses' text is data: profile text that reads as instructions to an assistant, or that carries
contact details (e-mail addresses, phone numbers, web addresses), is *held* for a person's review before it
is indexed or shown to any other subscriber.

``clear`` → nothing found; ``held`` → waiting (out of the index, matching and need search:
:func:`retrieval.eligibility.discoverable`); ``approved`` → a person read it and let it through (until the
text changes again). The console lists held profiles and approves them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import audit
from network.errors import NotFound
from network.events import emit
from network.models import PROFILE_TEXT_FIELDS, Profile, Subscriber

CLEAR, HELD, APPROVED = "clear", "held", "approved"
INSTRUCTIONS, CONTACT = "reads as instructions", "carries contact details"

# phrases aimed at a model rather than at a customer (prompt injection), seen in the attack on issue 17
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instruction|instructions|prompt|prompts|rules|above|previous)\b"
    r"|\bsystem prompt\b|\bnew instructions?\b|\byou are now\b|\b(act|behave|pretend) as\b|\bas an ai\b"
    r"|</?\s*(system|assistant|tool|tool_call)\s*>|\b(call|use|invoke|run) the \w+ tool\b"
    r"|\brecord (a|the|this)\b.{0,20}\bdeal\b|\bshare (your|their|the|my) (phone|number|e-?mail|contact)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"\bhttps?://|\bwww\.|\b[\w-]+\.(com|net|org|io|co\.uk|org\.uk|biz|info)\b", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w£$€])\+?\d[\d\s().-]{7,}\d")
MIN_PHONE_DIGITS = 9


def screen(texts: Iterable[str | None]) -> list[str]:
    """Why these texts must wait for a person, or ``[]``."""
    joined = "\n".join(t for t in texts if t)
    reasons = []
    if _INSTRUCTION.search(joined):
        reasons.append(INSTRUCTIONS)
    phones = (m.group(0) for m in _PHONE.finditer(joined))
    if _EMAIL.search(joined) or _URL.search(joined) or any(_digits(p) >= MIN_PHONE_DIGITS for p in phones):
        reasons.append(CONTACT)
    return reasons


def rescreen(profile: Profile) -> None:
    """Screen the profile's text after it changed (an approval holds only for the text approved)."""
    reasons = screen(getattr(profile, name) for name in PROFILE_TEXT_FIELDS)
    profile.review_state = HELD if reasons else CLEAR
    profile.review_reasons = reasons or None


def held(session: Session, limit: int = 200) -> list[tuple[Subscriber, Profile]]:
    """Profiles waiting for review, with their subscriber (what the console lists)."""
    rows = session.execute(
        select(Subscriber, Profile)
        .join(Profile, Profile.subscriber_id == Subscriber.id)
        .where(Profile.review_state == HELD, Subscriber.status == "active")
        .order_by(Profile.updated_at)
        .limit(limit)
    ).all()
    return [(s, p) for s, p in rows]


def approve(session: Session, subscriber_id: str) -> Profile:
    """A person read the held text and lets it be indexed and shown."""
    profile = session.get(Profile, subscriber_id)
    if profile is None or profile.review_state != HELD:
        raise NotFound(f"no profile of {subscriber_id!r} waiting for review")
    profile.review_state = APPROVED
    session.flush()
    audit.record(session, "profile.approved", "profiles", subscriber_id)
    emit(session, "profile.changed", subscriber_id=subscriber_id)
    return profile


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)
