"""What the person said in their own words: the server's test of whether a tool call is theirs.

A tool call is the model's proposal. When the values it carries appear in the person's own recent messages,
the person asked for it and it can happen at once; when they do not (the model inferred them, or text in a
profile or document talked the model into it), the call becomes a pending action the person confirms. The
model's say-so never decides which is which.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_WORDS = re.compile(r"[a-z0-9]+")

# Words with which people report a referral's progress; anything else waits for the Confirm button.
STATE_CUES: dict[str, frozenset[str]] = {
    "contacted": frozenset(
        {"contacted", "contact", "called", "rang", "phoned", "emailed", "messaged", "spoke", "spoken"}
    ),
    "meeting": frozenset({"meeting", "meet", "meetings", "met", "appointment", "visit"}),
    "won": frozenset({"won", "win", "signed", "closed", "booked", "hired"}),
    "lost": frozenset({"lost", "lose", "elsewhere", "declined", "fell", "cancelled", "dead", "nowhere"}),
}


def normalised(text: Any) -> str:
    return " ".join(_WORDS.findall(str(text).lower()))


def stated(value: Any, user_text: str) -> bool:
    """True when ``value`` appears word for word in what the person wrote in their recent messages."""
    wanted = normalised(value)
    return bool(wanted) and f" {wanted} " in f" {normalised(user_text)} "


def state_stated(state: str, user_text: str) -> bool:
    """True when the person's own words report ``state`` (e.g. "we won it", "I phoned them")."""
    return bool(STATE_CUES.get(state, frozenset()) & set(_WORDS.findall(user_text.lower())))


_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(k\b|thousand\b|grand\b)?", re.IGNORECASE)


def amounts_stated(user_text: str) -> set[Decimal]:
    """The sums of money the person wrote: "£3,000", "1500", "2.5k", "3 grand"."""
    found: set[Decimal] = set()
    for number, thousands in _NUMBER.findall(user_text):
        try:
            value = Decimal(number.replace(",", ""))
        except InvalidOperation:
            continue
        found.add(value * 1000 if thousands else value)
    return found


_MONEY = re.compile(
    r"[£€$¥]\s?\d[\d,]*+(?:\.\d+)?+(?!\s*(?:k|thousand|grand)\b)"  # "€1,500", not the "£2" of "£2.5k"
    r"|\b\d[\d,]*(?:\.\d+)?\s*(?:GBP|EUR|USD|JPY|pounds?|euros?|dollars?)\b",
    re.IGNORECASE,
)
_DEAL_CUES = STATE_CUES["won"] | {"paid", "bought", "ordered", "order", "contract", "deal", "worth", "sold"}
PROGRESS = ("won", "lost", "meeting", "contacted")  # furthest first: "we met them and won it" is a win


def money_stated(user_text: str) -> str | None:
    """The first sum the person wrote with its currency ("€1,500", "2,400 GBP"), as they wrote it."""
    found = _MONEY.search(user_text)
    return found.group(0) if found else None


def deal_stated(user_text: str) -> str | None:
    """The sum of a deal the person reports ("they paid 5000 euros", "we signed a €1,500 contract")."""
    money = money_stated(user_text)
    return money if money and _DEAL_CUES & set(_WORDS.findall(user_text.lower())) else None


def progress_stated(user_text: str) -> str | None:
    """The furthest state of a referral the person's words report, if any."""
    return next((state for state in PROGRESS if state_stated(state, user_text)), None)
