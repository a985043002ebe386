"""Right to erasure (GDPR Art. 17) in the records: every row and column that holds the subscriber's text or
contact data, including third parties' details they entered, is wiped; skeleton rows the ledger and the
audit trail need (ids, states, amounts) stay.

Open introductions and referrals that involve them are withdrawn, and other subscribers' waiting actions
about them cancelled; wherever their name appeared in someone else's records it now reads
:data:`LEFT_NETWORK` — short names (a four-letter business name, the contact's first name) as whole words
only (:mod:`network.services.mentions`). The audit trail is never edited (it holds no free text:
:mod:`network.audit`), so ``layer8 audit verify`` still passes. Files are compacted afterwards by
:class:`network.erasure.Eraser`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from network import audit, states
from network.errors import NotFound
from network.events import emit
from network.ids import utcnow
from network.models import (
    PROFILE_FIELDS,
    PROFILE_TEXT_FIELDS,
    ApiToken,
    AuditNote,
    ChannelIdentity,
    Conversation,
    Deal,
    ErasureRequest,
    InboundEvent,
    Introduction,
    IntroductionState,
    LinkCode,
    Message,
    NpsResponse,
    PendingAction,
    PendingActionState,
    Profile,
    ProfileProposal,
    Referral,
    ReferralState,
    Subscriber,
    SupportCase,
)
from network.services.mentions import (
    LEFT_NETWORK,
    MIN_TRACE,
    matcher,
    names_of,
    replace,
    scrub_mentions,
    scrub_profiles,
    strings,
)

ERASED = "erased"
OPEN_INTRODUCTIONS = (IntroductionState.SUGGESTED.value, IntroductionState.REQUESTED.value)
OPEN_REFERRALS = (ReferralState.OPEN.value, ReferralState.CONTACTED.value, ReferralState.MEETING.value)


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
    names = names_of(subscriber.business_name, subscriber.contact_name)
    withdrawn = _withdraw(session, subscriber_id)
    _wipe_own(session, subscriber)
    scrub_mentions(session, traces, names)
    for quoting in scrub_profiles(session, traces, names, erased=subscriber_id):
        emit(session, "profile.changed", subscriber_id=quoting)  # re-indexed before the erasure compacts
    _wipe_identity(session, subscriber)
    session.flush()
    pattern = matcher(traces, names)
    if reason:  # kept beside the trail (an AuditNote), and without their name even there
        reason = replace(reason[:500], pattern) if pattern else reason[:500]
    audit.record(session, "subscriber.erased", "subscribers", subscriber_id, note=reason, withdrawn=withdrawn)
    emit(session, "subscriber.erased", subscriber_id=subscriber_id)
    return Erased(subscriber_id, withdrawn, tuple(traces))


def _traces(session: Session, subscriber: Subscriber) -> list[str]:
    """The distinctive strings that identify the subscriber or are their own text."""
    found: list[str | None] = [subscriber.business_name, subscriber.contact_name]
    found += names_of(subscriber.business_name, None)  # "Kiko Bakery Ltd" also as "Kiko Bakery"
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
        if ids & set(strings(action.payload)):
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
    session.execute(update(AuditNote).where(AuditNote.subscriber_id == sid).values(text=""))
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
