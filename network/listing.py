"""Who may list and read which records of the referral economy, with filters and cursor pagination.

One rule for every kind: a subscriber (or an agent inside an authenticated case for them) sees the records
it is a party to; an operator admin sees every record of the tenant. The scope is computed by the caller
from the verified token (:func:`network.acting.reader_scope`), never from a request parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from network.errors import NotFound
from network.models import (
    Conversation,
    Deal,
    Incentive,
    Introduction,
    IntroductionState,
    Referral,
    Subscriber,
    SupportCase,
)
from network.pagination import Page, paginate
from network.services.handoffs import HANDED_OFF


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    model: Any
    parties: tuple[InstrumentedAttribute[Any], ...]
    hidden_states: tuple[str, ...] = ()  # never listed to a subscriber (the matcher's suggestions)


INTRODUCTIONS = Kind(
    "introduction",
    Introduction,
    (Introduction.requester_id, Introduction.target_id),
    (IntroductionState.SUGGESTED.value,),
)
REFERRALS = Kind("referral", Referral, (Referral.giver_id, Referral.receiver_id))
DEALS = Kind("deal", Deal, (Deal.receiver_id, Deal.giver_id))
INCENTIVES = Kind("incentive", Incentive, (Incentive.beneficiary_id,))


@dataclass(frozen=True, slots=True)
class Scope:
    """``subscriber_id`` set: that subscriber's records; None: the whole ``tenant`` (an admin)."""

    tenant: str
    subscriber_id: str | None = None


@dataclass(frozen=True, slots=True)
class Filters:
    state: str | None = None
    subscriber_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def page(
    session: Session, kind: Kind, scope: Scope, filters: Filters, *, limit: int, cursor: str | None
) -> Page[Any]:
    query = _visible(kind, scope)
    if filters.state:
        query = query.where(kind.model.state == filters.state)
    if filters.subscriber_id:
        query = query.where(_party(kind, filters.subscriber_id))
    if filters.since:
        query = query.where(kind.model.created_at >= _aware(filters.since))
    if filters.until:
        query = query.where(kind.model.created_at < _aware(filters.until))
    return paginate(session, query, kind.model.created_at, kind.model.id, limit=limit, cursor=cursor)


def get(session: Session, kind: Kind, scope: Scope, record_id: str) -> Any:
    """The record, or :class:`NotFound` — also when it exists but is not the viewer's to see."""
    found = session.scalars(_visible(kind, scope).where(kind.model.id == record_id)).first()
    if found is None:
        raise NotFound(f"no {kind.name} {record_id!r}")
    return found


def is_party(kind: Kind, row: Any, subscriber_id: str | None) -> bool:
    return subscriber_id is not None and any(getattr(row, c.key) == subscriber_id for c in kind.parties)


def _visible(kind: Kind, scope: Scope) -> Select[Any]:
    query = select(kind.model)
    if scope.subscriber_id is not None:
        query = query.where(_party(kind, scope.subscriber_id))
        if kind.hidden_states:
            query = query.where(kind.model.state.not_in(kind.hidden_states))
        return query
    tenant_ids = select(Subscriber.id).where(Subscriber.tenant == scope.tenant)
    return query.where(kind.parties[0].in_(tenant_ids))


def _party(kind: Kind, subscriber_id: str) -> Any:
    return or_(*(column == subscriber_id for column in kind.parties))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def cases_page(
    session: Session, agent_id: str | None, tenant: str, filters: Filters, *, limit: int, cursor: str | None
) -> Page[Any]:
    """Support cases: an agent's own (``agent_id``), or every case of the tenant (an admin: None)."""
    tenant_ids = select(Subscriber.id).where(Subscriber.tenant == tenant)
    query = select(SupportCase).where(SupportCase.subscriber_id.in_(tenant_ids))
    if agent_id is not None:
        query = query.where(SupportCase.agent_id == agent_id)
    if filters.state == "open":
        query = query.where(SupportCase.closed_at.is_(None))
    elif filters.state == "closed":
        query = query.where(SupportCase.closed_at.is_not(None))
    elif filters.state:
        query = query.where(false())
    if filters.subscriber_id:
        query = query.where(SupportCase.subscriber_id == filters.subscriber_id)
    if filters.since:
        query = query.where(SupportCase.opened_at >= _aware(filters.since))
    if filters.until:
        query = query.where(SupportCase.opened_at < _aware(filters.until))
    return paginate(session, query, SupportCase.opened_at, SupportCase.id, limit=limit, cursor=cursor)


def handoffs_page(
    session: Session, tenant: str, filters: Filters, *, limit: int, cursor: str | None
) -> Page[Any]:
    """Conversations waiting for (or held by) a person, most recently active first."""
    query = (
        select(Conversation)
        .join(Subscriber, Subscriber.id == Conversation.subscriber_id)
        .where(Subscriber.tenant == tenant, Conversation.mode == HANDED_OFF)
    )
    if filters.subscriber_id:
        query = query.where(Conversation.subscriber_id == filters.subscriber_id)
    if filters.since:
        query = query.where(Conversation.updated_at >= _aware(filters.since))
    if filters.until:
        query = query.where(Conversation.updated_at < _aware(filters.until))
    if filters.state == "unassigned":
        query = query.where(Conversation.agent_id.is_(None))
    elif filters.state == "assigned":
        query = query.where(Conversation.agent_id.is_not(None))
    elif filters.state:
        query = query.where(false())
    return paginate(session, query, Conversation.updated_at, Conversation.id, limit=limit, cursor=cursor)
