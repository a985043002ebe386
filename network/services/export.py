"""Data portability (GDPR Art. 20): everything Layer8 holds about one subscriber, from every table, as JSON.

``layer8 subscribers export ID`` and ``GET /v1/me/export``. Secrets are never exported: a token appears by
its id, a link code without its hash. Blocks others made against the subscriber are theirs and stay out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, object_mapper

from network.ids import utcnow
from network.models import (
    ApiToken,
    AuditEvent,
    AuditNote,
    Base,
    Block,
    ChannelIdentity,
    ChurnEvent,
    ConsentRecord,
    Conversation,
    Deal,
    DigestDelivery,
    DigestPreference,
    ErasureRequest,
    EventInvitation,
    InboundEvent,
    Incentive,
    Introduction,
    LedgerEntry,
    LinkCode,
    Message,
    NpsResponse,
    OutboxMessage,
    PendingAction,
    Profile,
    ProfileProposal,
    Referral,
    SupportCase,
)
from network.rows import plain
from network.services.subscribers import require_subscriber

FORMAT = "layer8.export/1"
SECRET_COLUMNS = {"token_hash", "code_hash"}


def export_subscriber(session: Session, subscriber_id: str) -> dict[str, Any]:
    """A JSON-ready dict: one key per table, each a list of that table's rows about the subscriber."""
    subscriber = require_subscriber(session, subscriber_id)
    sid = subscriber.id
    conversations = select(Conversation.id).where(Conversation.subscriber_id == sid)
    incentives = select(Incentive.id).where(Incentive.beneficiary_id == sid)
    external = select(Message.external_id).where(
        Message.conversation_id.in_(conversations), Message.external_id.is_not(None)
    )
    wheres: dict[str, tuple[type[Base], ColumnElement[bool]]] = {
        "profiles": (Profile, Profile.subscriber_id == sid),
        "profile_proposals": (ProfileProposal, ProfileProposal.subscriber_id == sid),
        "channel_identities": (ChannelIdentity, ChannelIdentity.subscriber_id == sid),
        "consent_records": (ConsentRecord, ConsentRecord.subscriber_id == sid),
        "blocks": (Block, Block.blocker_id == sid),
        "link_codes": (LinkCode, LinkCode.subscriber_id == sid),
        "conversations": (Conversation, Conversation.subscriber_id == sid),
        "messages": (Message, Message.conversation_id.in_(conversations)),
        "pending_actions": (PendingAction, PendingAction.subscriber_id == sid),
        "support_cases": (SupportCase, SupportCase.subscriber_id == sid),
        "introductions": (
            Introduction,
            or_(Introduction.requester_id == sid, Introduction.target_id == sid),
        ),
        "referrals": (
            Referral,
            or_(
                Referral.giver_id == sid, Referral.receiver_id == sid, Referral.prospect_subscriber_id == sid
            ),
        ),
        "deals": (Deal, or_(Deal.receiver_id == sid, Deal.giver_id == sid)),
        "incentives": (Incentive, Incentive.beneficiary_id == sid),
        "outbox": (OutboxMessage, OutboxMessage.aggregate_id.in_(incentives)),
        "bss_ledger": (LedgerEntry, LedgerEntry.party_id == (subscriber.bss_party_id or sid)),
        "api_tokens": (ApiToken, ApiToken.subscriber_id == sid),
        "erasure_requests": (ErasureRequest, ErasureRequest.subscriber_id == sid),
        "churn_events": (ChurnEvent, ChurnEvent.subscriber_id == sid),
        "nps_responses": (NpsResponse, NpsResponse.subscriber_id == sid),
        "inbound_events": (InboundEvent, InboundEvent.event_id.in_(external)),
        "event_invitations": (EventInvitation, EventInvitation.subscriber_id == sid),
        "digest_preferences": (DigestPreference, DigestPreference.subscriber_id == sid),
        "digest_deliveries": (DigestDelivery, DigestDelivery.subscriber_id == sid),
        "audit_events": (AuditEvent, or_(AuditEvent.target_id == sid, AuditEvent.actor_id == sid)),
        "audit_notes": (AuditNote, AuditNote.subscriber_id == sid),
    }
    tables = {name: _rows(session, model, where) for name, (model, where) in wheres.items()}
    return {
        "format": FORMAT,
        "exported_at": plain(utcnow()),
        "subscriber": record_json(subscriber),
        "tables": tables,
    }


def _rows(session: Session, model: type[Base], where: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [record_json(row) for row in session.scalars(select(model).where(where))]


def record_json(row: object) -> dict[str, Any]:
    """Every column of ``row`` (dates in ISO 8601); a secret column is left out, a token named by id."""
    mapper = object_mapper(row)
    out = {
        attr.key: plain(getattr(row, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }
    if isinstance(row, ApiToken):
        out["token_id"] = row.audit_id
    return out
