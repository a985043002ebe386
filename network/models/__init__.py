"""Layer8's records as SQLAlchemy 2 models. Import from here."""

from network.models.access import SignInCode, WebSession
from network.models.base import (
    Base,
    ConsentKind,
    DealState,
    GrowthStage,
    IncentiveState,
    IntroductionState,
    OutboxState,
    PendingActionState,
    ReferralState,
    Role,
)
from network.models.conversations import Conversation, Message, PendingAction
from network.models.network import Deal, Incentive, Introduction, Referral
from network.models.operations import (
    ApiToken,
    AuditEvent,
    ErasureRequest,
    IdempotencyKey,
    InboundEvent,
    LedgerEntry,
    OutboxMessage,
    SupportCase,
)
from network.models.outcomes import ChurnEvent, NpsResponse
from network.models.subscribers import (
    PROFILE_FIELDS,
    PROFILE_TEXT_FIELDS,
    Block,
    ChannelIdentity,
    ConsentRecord,
    LinkCode,
    Profile,
    ProfileProposal,
    Subscriber,
)
from network.models.webhooks import WebhookAttempt, WebhookEndpoint

__all__ = [
    "PROFILE_FIELDS",
    "PROFILE_TEXT_FIELDS",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Block",
    "ChannelIdentity",
    "ChurnEvent",
    "ConsentKind",
    "ConsentRecord",
    "Conversation",
    "Deal",
    "DealState",
    "ErasureRequest",
    "GrowthStage",
    "IdempotencyKey",
    "InboundEvent",
    "Incentive",
    "IncentiveState",
    "Introduction",
    "IntroductionState",
    "LedgerEntry",
    "LinkCode",
    "Message",
    "NpsResponse",
    "OutboxMessage",
    "OutboxState",
    "PendingAction",
    "PendingActionState",
    "Profile",
    "ProfileProposal",
    "Referral",
    "ReferralState",
    "Role",
    "SignInCode",
    "Subscriber",
    "SupportCase",
    "WebSession",
    "WebhookAttempt",
    "WebhookEndpoint",
]
