"""Where an erased subscriber is quoted in *other* records, and how each quote is replaced.

Two kinds of needle. *Traces* (at least :data:`MIN_TRACE` characters: the business and contact names, e-mail,
phone, their own sentences) go wherever they occur, in any case, and are what the erasure later verifies in
every column and file. *Names* are what people actually write about a business or its owner: the business
name as registered and without its legal suffix ("Kiko Ltd" → "Kiko"), the contact's name and first name.
A name of at least :data:`MIN_NAME` characters goes only as a whole word, in any case — "Ana" leaves
"Ana's van is free" but not "Banana" or "Anatomy". Names are not verified against every column (another
business's contact may well be called Jane too); they are scrubbed from the columns listed in
:data:`MENTIONS`, where other records quote this subscriber.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from network.models import (
    PROFILE_TEXT_FIELDS,
    AuditNote,
    Conversation,
    Deal,
    Event,
    EventInvitation,
    EventOneToOne,
    IdempotencyKey,
    InboundEvent,
    Incentive,
    Introduction,
    LedgerEntry,
    Message,
    OutboxMessage,
    PendingAction,
    Profile,
    ProfileProposal,
    Referral,
    SupportCase,
)

# what the other side of an introduction or referral sees where the erased business's name was
LEFT_NETWORK = "a business that has left the network"
MIN_TRACE = 6  # replaced anywhere and verified everywhere: a shorter string is too likely to be a word
MIN_NAME = 3  # a shorter name ("Al", "Bo") cannot be told from ordinary text even as a whole word
_LEGAL_SUFFIX = re.compile(r"[\s,]+(?:ltd|limited|llp|plc|inc|llc|gmbh|(?:&|and)\s+co|co)\.?$", re.IGNORECASE)
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "rev"}

# the columns of *other* subscribers' records where the erased subscriber's name or contact data may be
# quoted (an assistant reply naming them, a referral note, a raw webhook payload)
MENTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Message, ("content", "tool_calls")),
    (Conversation, ("summary", "handoff_reason")),
    (PendingAction, ("summary", "payload", "result")),
    (Introduction, ("message", "reasons")),
    (Referral, ("prospect_name", "prospect_contact", "note")),
    (Deal, ("description",)),
    (Incentive, ("review_reasons",)),  # an operator's hold or reversal note
    (AuditNote, ("text",)),  # a reason someone typed for an audited decision
    (SupportCase, ("reason",)),
    (ProfileProposal, ("value",)),
    (InboundEvent, ("payload",)),
    (IdempotencyKey, ("result",)),
    (OutboxMessage, ("payload", "last_error")),
    (LedgerEntry, ("payload",)),
    (Event, ("title", "description", "place")),
    (EventInvitation, ("reasons",)),  # "you would meet <them>" in other guests' invitations
    (EventOneToOne, ("proposed_time",)),
)


def names_of(business_name: str | None, contact_name: str | None) -> list[str]:
    """The names people write for this business and its contact, each of at least :data:`MIN_NAME`."""
    found = [business_name, contact_name]
    if business_name:
        found.append(_LEGAL_SUFFIX.sub("", business_name.strip()))
    given = [w for w in (contact_name or "").split() if w.rstrip(".").lower() not in _TITLES]
    if given:
        found.append(given[0])
    return sorted({n.strip() for n in found if n and len(n.strip()) >= MIN_NAME}, key=len, reverse=True)


def matcher(traces: Sequence[str], names: Sequence[str] = ()) -> re.Pattern[str] | None:
    """One case-insensitive pattern: traces anywhere, names as whole words; longest first."""
    parts = [(t, re.escape(t)) for t in traces] + [(n, rf"(?<!\w){re.escape(n)}(?!\w)") for n in names]
    if not parts:
        return None
    parts.sort(key=lambda part: len(part[0]), reverse=True)
    return re.compile("|".join(p for _, p in parts), re.IGNORECASE)


def scrub_mentions(session: Session, traces: Sequence[str], names: Sequence[str] = ()) -> int:
    """Replace every mention in other records' text and JSON columns; returns the values changed."""
    pattern = matcher(traces, names)
    if pattern is None:
        return 0
    # found by the database in any case (ILIKE on PostgreSQL), then replaced here word by word
    forms = {f for n in (*traces, *names) for f in (n, json.dumps(n)[1:-1])}
    changed = 0
    for model, columns in MENTIONS:
        for name in columns:
            column = getattr(model, name)
            hit = or_(*(cast(column, Text).icontains(f, autoescape=True) for f in forms))
            for row in session.scalars(select(model).where(hit)):
                value = getattr(row, name)
                cleaned = replace(value, pattern)
                if cleaned != value:
                    setattr(row, name, cleaned)
                    changed += 1
    return changed


def scrub_profiles(
    session: Session, traces: Sequence[str], names: Sequence[str] = (), *, erased: str
) -> list[str]:
    """Other businesses' own profile text that quotes the erased one ("we bake for Kiko Bakery"): the
    mention replaced like anywhere else. Returns whose profiles changed, for the caller to re-index them
    (the vector index holds that text too)."""
    pattern = matcher(traces, names)
    if pattern is None:
        return []
    forms = {*traces, *names}
    fields = [getattr(Profile, name) for name in PROFILE_TEXT_FIELDS]
    hit = or_(*(field.icontains(f, autoescape=True) for field in fields for f in forms))
    changed = []
    for profile in session.scalars(select(Profile).where(Profile.subscriber_id != erased, hit)):
        for name in PROFILE_TEXT_FIELDS:
            value = getattr(profile, name)
            cleaned = replace(value, pattern)
            if cleaned != value:
                setattr(profile, name, cleaned)
                if profile.subscriber_id not in changed:
                    changed.append(profile.subscriber_id)
    return changed


def replace(value: Any, pattern: re.Pattern[str]) -> Any:
    """``value`` (text, or JSON of lists and dicts) with every match of ``pattern`` replaced."""
    if isinstance(value, str):
        return pattern.sub(LEFT_NETWORK, value)
    if isinstance(value, list):
        return [replace(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: replace(v, pattern) for k, v in value.items()}
    return value


def strings(value: Any) -> Iterable[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
