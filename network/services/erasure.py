"""Right to erasure (GDPR Art. 17) in the records: every row and column that holds the subscriber's text or
contact data, including third parties' details they entered, is wiped; skeleton rows the ledger and the
audit trail need (ids, states, amounts) stay.

Open introductions and referrals that involve them are withdrawn, and other subscribers' waiting actions
about them cancelled; wherever their name appeared in someone else's records it now reads
:data:`LEFT_NETWORK`. The audit trail is never edited (it holds no free text: :mod:`network.audit`), so
``layer8 audit verify`` still passes. Files are compacted afterwards by :class:`network.erasure.Eraser`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from network import audit, states
from network.errors import NotFound
from network.events import emit
from network.ids import utcnow
from network.models import (
    PROFILE_FIELDS,
    PROFILE_TEXT_FIELDS,
    ApiToken,
    ChannelIdentity,
    Conversation,
    Deal,
    ErasureRequest,
    Event,
    EventInvitation,
    EventOneToOne,
    IdempotencyKey,
    InboundEvent,
    Introduction,
    IntroductionState,
    LedgerEntry,
    LinkCode,
    Message,
    NpsResponse,
    OutboxMessage,
    PendingAction,
    PendingActionState,
    Profile,
    ProfileProposal,
    Referral,
    ReferralState,
    Subscriber,
    SupportCase,
)

# what the other side of an introduction or referral sees where the erased business's name was
LEFT_NETWORK = "a business that has left the network"
ERASED = "erased"
OPEN_INTRODUCTIONS = (IntroductionState.SUGGESTED.value, IntroductionState.REQUESTED.value)
OPEN_REFERRALS = (ReferralState.OPEN.value, ReferralState.CONTACTED.value, ReferralState.MEETING.value)
MIN_TRACE = 6  # a shorter name ("Acme") is too likely to be an ordinary word in someone else's text

# the columns of *other* subscribers' records where the erased subscriber's name or contact data may be
# quoted (an assistant reply naming them, a referral note, a raw webhook payload)
MENTIONS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (Message, ("content", "tool_calls")),
    (Conversation, ("summary", "handoff_reason")),
    (PendingAction, ("summary", "payload", "result")),
    (Introduction, ("message", "reasons")),
    (Referral, ("prospect_name", "prospect_contact", "note")),
    (Deal, ("description",)),
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


@dataclass(frozen=True)
class Erased:
    """What was erased. ``traces`` (the distinctive strings erased) stay in memory only, to check the
    files; they are never logged or returned to a caller."""

    subscriber_id: str
    withdrawn: int
    traces: tuple[str, ...]


def erase_subscriber(session: Session, subscriber_id: str, *, reason: str | None = None) -> Erased:
    """Wipe the subscriber's text and contact data from every table; withdraw what is open with them."""
    subscriber = session.get(Subscriber, subscriber_id) if isinstance(subscriber_id, str) else None
    if subscriber is None or subscriber.status == ERASED:
        raise NotFound(f"no subscriber {subscriber_id!r}")
    traces = _traces(session, subscriber)
    withdrawn = _withdraw(session, subscriber_id)
    _wipe_own(session, subscriber)
    scrub_mentions(session, traces)
    _wipe_identity(session, subscriber)
    session.flush()
    data: dict[str, Any] = {"withdrawn": withdrawn}
    if reason:
        data["reason"] = reason[:500]
    audit.record(session, "subscriber.erased", "subscribers", subscriber_id, **data)
    emit(session, "subscriber.erased", subscriber_id=subscriber_id)
    return Erased(subscriber_id, withdrawn, tuple(traces))


def _traces(session: Session, subscriber: Subscriber) -> list[str]:
    """The distinctive strings that identify the subscriber or are their own text."""
    found: list[str | None] = [subscriber.business_name, subscriber.contact_name]
    found += [subscriber.contact_email, subscriber.contact_phone]
    found += session.scalars(
        select(ChannelIdentity.external_id).where(ChannelIdentity.subscriber_id == subscriber.id)
    ).all()
    profile = session.get(Profile, subscriber.id)
    if profile is not None:
        found += [getattr(profile, name) for name in PROFILE_TEXT_FIELDS]
    found += session.scalars(
        select(ProfileProposal.value).where(ProfileProposal.subscriber_id == subscriber.id)
    ).all()
    given = select(Referral).where(Referral.giver_id == subscriber.id)
    for referral in session.scalars(given):
        found += [referral.prospect_name, referral.prospect_contact, referral.note]
    unique = {t.strip() for t in found if t and len(t.strip()) >= MIN_TRACE}
    return sorted(unique, key=len, reverse=True)  # longest first: a name inside a sentence goes last


def _withdraw(session: Session, subscriber_id: str) -> int:
    """Open introductions and referrals with them are withdrawn; others' waiting actions about them end."""
    now, count = utcnow(), 0
    intros = select(Introduction).where(
        or_(Introduction.requester_id == subscriber_id, Introduction.target_id == subscriber_id),
        Introduction.state.in_(OPEN_INTRODUCTIONS),
    )
    ids = {subscriber_id}
    for intro in session.scalars(intros):
        states.check("introduction", intro.state, IntroductionState.WITHDRAWN)
        intro.state, intro.decided_at, count = IntroductionState.WITHDRAWN.value, now, count + 1
        ids.add(intro.id)
    referrals = select(Referral).where(
        or_(
            Referral.giver_id == subscriber_id,
            Referral.receiver_id == subscriber_id,
            Referral.prospect_subscriber_id == subscriber_id,
        ),
        Referral.state.in_(OPEN_REFERRALS),
    )
    for referral in session.scalars(referrals):
        states.check("referral", referral.state, ReferralState.WITHDRAWN)
        referral.state, count = ReferralState.WITHDRAWN.value, count + 1
        ids.add(referral.id)
    cancel_others_actions(session, subscriber_id, ids)
    return count


def cancel_others_actions(session: Session, subscriber_id: str, ids: set[str]) -> None:
    waiting = select(PendingAction).where(
        PendingAction.state == PendingActionState.PENDING.value, PendingAction.subscriber_id != subscriber_id
    )
    for action in session.scalars(waiting):
        if ids & set(_strings(action.payload)):
            action.state, action.decided_at = PendingActionState.CANCELLED.value, utcnow()


def _wipe_own(session: Session, subscriber: Subscriber) -> None:
    sid, now = subscriber.id, utcnow()
    profile = session.get(Profile, sid)
    if profile is not None:
        for name in PROFILE_FIELDS:
            setattr(profile, name, None)
        profile.sources, profile.review_state, profile.review_reasons = {}, "clear", None
    session.execute(delete(ProfileProposal).where(ProfileProposal.subscriber_id == sid))
    session.execute(delete(LinkCode).where(LinkCode.subscriber_id == sid))
    # their NPS scores stay (counts only); the reason they gave is their own words
    session.execute(update(NpsResponse).where(NpsResponse.subscriber_id == sid).values(reason=None))
    _wipe_conversations(session, sid)
    for action in session.scalars(select(PendingAction).where(PendingAction.subscriber_id == sid)):
        action.summary, action.payload, action.result = "", {}, None
        if action.state == PendingActionState.PENDING.value:
            action.state, action.decided_at = PendingActionState.CANCELLED.value, now
    for case in session.scalars(select(SupportCase).where(SupportCase.subscriber_id == sid)):
        case.reason, case.closed_at = "", case.closed_at or now
    _wipe_network(session, sid)
    for token in session.scalars(select(ApiToken).where(ApiToken.subscriber_id == sid)):
        token.label, token.revoked_at = None, token.revoked_at or now
    for request in session.scalars(select(ErasureRequest).where(ErasureRequest.subscriber_id == sid)):
        if request.state == "pending":
            request.state, request.decided_at = "done", now
            request.decided_by = str(getattr(session.info.get("actor"), "id", "system"))[:80]


def _wipe_conversations(session: Session, sid: str) -> None:
    conversations = select(Conversation.id).where(Conversation.subscriber_id == sid)
    external = session.scalars(
        select(Message.external_id).where(
            Message.conversation_id.in_(conversations), Message.external_id.is_not(None)
        )
    ).all()
    if external:
        session.execute(update(InboundEvent).where(InboundEvent.event_id.in_(external)).values(payload={}))
    session.execute(
        update(Message)
        .where(Message.conversation_id.in_(conversations))
        .values(content="", tool_calls=[], external_id=None)
    )
    for conversation in session.scalars(select(Conversation).where(Conversation.subscriber_id == sid)):
        conversation.summary, conversation.handoff_reason = None, None
        conversation.thread_key = f"{ERASED}:{conversation.id}"  # a WhatsApp thread key is a phone number


def _wipe_network(session: Session, sid: str) -> None:
    """Introductions, referrals and deals they are a party to keep their ids and states, not their text."""
    intros = select(Introduction).where(or_(Introduction.requester_id == sid, Introduction.target_id == sid))
    for intro in session.scalars(intros):
        intro.message, intro.reasons = None, []
    involved = or_(
        Referral.giver_id == sid, Referral.receiver_id == sid, Referral.prospect_subscriber_id == sid
    )
    for referral in session.scalars(select(Referral).where(involved)):
        referral.note = None
        if referral.giver_id == sid:  # the third party's details are theirs to have entered, not to keep
            referral.prospect_name = referral.prospect_contact = None
    for deal in session.scalars(select(Deal).where(or_(Deal.receiver_id == sid, Deal.giver_id == sid))):
        deal.description = None


def _wipe_identity(session: Session, subscriber: Subscriber) -> None:
    session.execute(delete(ChannelIdentity).where(ChannelIdentity.subscriber_id == subscriber.id))
    subscriber.business_name = LEFT_NETWORK
    subscriber.contact_name = subscriber.contact_email = subscriber.contact_phone = None
    subscriber.status = ERASED


def scrub_mentions(session: Session, needles: Sequence[str]) -> int:
    """Replace every mention of ``needles`` in other records' text and JSON columns; returns rows changed."""
    if not needles:
        return 0
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    changed = 0
    for model, columns in MENTIONS:
        for name in columns:
            column = getattr(model, name)
            forms = {f for n in needles for f in (n, json.dumps(n)[1:-1])}
            hit = or_(*(cast(column, Text).contains(f, autoescape=True) for f in forms))
            for row in session.scalars(select(model).where(hit)):
                value = getattr(row, name)
                cleaned = _replace(value, pattern)
                if cleaned != value:
                    setattr(row, name, cleaned)
                    changed += 1
    return changed


def _replace(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(LEFT_NETWORK, value)
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pattern) for k, v in value.items()}
    return value


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
