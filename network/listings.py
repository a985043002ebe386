"""Paged lists of the referral economy's records for operators (``layer8 introductions|deals|handoffs …``).

Each list is newest first, filtered by subscriber (either side of the record) and state, and carries the
total it was cut from, so a caller can say "showing 20 of 200" and where the next page starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from network.errors import InvalidInput
from network.models import (
    ApiToken,
    Conversation,
    Deal,
    Introduction,
    IntroductionState,
    Profile,
    Subscriber,
)
from network.services.handoffs import HANDED_OFF

T = TypeVar("T")
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Listing(Generic[T]):
    rows: list[T]
    total: int
    limit: int
    offset: int

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, or None when this page reaches the end."""
        end = self.offset + len(self.rows)
        return end if end < self.total else None


def _page(session: Session, query: Select[Any], limit: int, offset: int) -> Listing[Any]:
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise InvalidInput(f"limit is 1 to {MAX_LIMIT} and offset at least 0")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    return Listing(rows, int(total), limit, offset)


def introductions(
    session: Session,
    *,
    subscriber_id: str | None = None,
    state: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Listing[Introduction]:
    query = select(Introduction).order_by(Introduction.created_at.desc(), Introduction.id)
    if subscriber_id:
        query = query.where(
            or_(Introduction.requester_id == subscriber_id, Introduction.target_id == subscriber_id)
        )
    if state:
        if state not in {s.value for s in IntroductionState}:
            allowed = ", ".join(s.value for s in IntroductionState)
            raise InvalidInput(f"unknown introduction state {state!r}: use one of {allowed}")
        query = query.where(Introduction.state == state)
    return _page(session, query, limit, offset)


def deals(
    session: Session, *, subscriber_id: str | None = None, limit: int = 20, offset: int = 0
) -> Listing[Deal]:
    query = select(Deal).order_by(Deal.closed_on.desc(), Deal.created_at.desc(), Deal.id)
    if subscriber_id:
        query = query.where(or_(Deal.receiver_id == subscriber_id, Deal.giver_id == subscriber_id))
    return _page(session, query, limit, offset)


def conversations(
    session: Session,
    *,
    handed_off: bool = False,
    subscriber_id: str | None = None,
    agent_id: str | None = None,
    unassigned: bool = False,
    business: str | None = None,
    tenant: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Listing[Conversation]:
    """Conversations; handed-off ones the longest waiting first, all others the newest first. Filters: one
    subscriber, one agent's or nobody's, a business name containing ``business``, a tenant."""
    query = select(Conversation)
    if agent_id:
        query = query.where(Conversation.agent_id == agent_id)
    if unassigned:
        query = query.where(Conversation.agent_id.is_(None))
    if business or tenant:
        members = select(Subscriber.id)
        if business:
            members = members.where(Subscriber.business_name.ilike(f"%{_escaped(business)}%", escape="\\"))
        if tenant:
            members = members.where(Subscriber.tenant == tenant)
        query = query.where(Conversation.subscriber_id.in_(members))
    if handed_off:
        query = query.where(Conversation.mode == HANDED_OFF).order_by(
            Conversation.updated_at, Conversation.id
        )
    else:
        query = query.order_by(Conversation.updated_at.desc(), Conversation.id)
    if subscriber_id:
        query = query.where(Conversation.subscriber_id == subscriber_id)
    return _page(session, query, limit, offset)


def names(session: Session, subscriber_ids: Iterable[str | None]) -> dict[str, str]:
    """Subscriber id → business name, for the ids that exist."""
    wanted = {i for i in subscriber_ids if i}
    query = select(Subscriber.id, Subscriber.business_name).where(Subscriber.id.in_(wanted))
    return dict(session.execute(query).tuples().all())


def _escaped(text: str) -> str:
    return text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def agents(session: Session) -> list[str]:
    """The support agents who hold a live console token, by name (whom a conversation can be given to)."""
    query = select(ApiToken.agent_id).where(
        ApiToken.role == "agent", ApiToken.revoked_at.is_(None), ApiToken.agent_id.is_not(None)
    )
    return sorted({str(agent) for agent in session.scalars(query.distinct())})


def pickable(session: Session, tenant: str | None, limit: int = 1000) -> list[tuple[str, str, str]]:
    """``(id, business name, locality)`` of active subscribers by name: what a subscriber picker offers."""
    query = (
        select(Subscriber.id, Subscriber.business_name, Profile.locality)
        .outerjoin(Profile, Profile.subscriber_id == Subscriber.id)
        .where(Subscriber.status == "active")
        .order_by(Subscriber.business_name, Subscriber.id)
        .limit(limit)
    )
    if tenant is not None:
        query = query.where(Subscriber.tenant == tenant)
    return [(str(i), str(name), str(town or "")) for i, name, town in session.execute(query)]
