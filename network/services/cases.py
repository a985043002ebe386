"""Support cases: an agent acts on a subscriber's behalf only inside an open case of their own for that
subscriber, in which the customer's identity was checked (``customer_authenticated_by``).

Plain functions over a Session (no web types), shared by the console and ``layer8 case``. Opening and
closing a case are themselves audited: the transaction's actor is the agent with the case.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.errors import InvalidInput, NotFound, PermissionDenied
from network.ids import utcnow
from network.models import SupportCase
from network.services.subscribers import require_subscriber

# how a support agent may have checked who is calling; "other: …" is allowed for the rest
AUTH_METHODS = (
    "security question",
    "one-time code",
    "account PIN",
    "verified callback",
    "in-store ID check",
)
_NAME = re.compile(r"^[A-Za-z0-9_.@:-]{1,80}$")


def open_case(
    session: Session, agent_id: str, subscriber_id: str, reason: str, authenticated_by: str | None
) -> SupportCase:
    """Open a case; ``authenticated_by`` records how the customer proved who they are (None: not yet)."""
    if not _NAME.match(agent_id or ""):
        raise InvalidInput("an agent name is 1-80 letters, digits or . _ @ : -")
    require_subscriber(session, subscriber_id)
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise InvalidInput("give the case a reason of 3 to 500 characters")
    case = SupportCase(
        agent_id=agent_id,
        subscriber_id=subscriber_id,
        reason=reason,
        customer_authenticated_by=clean_method(authenticated_by),
    )
    session.add(case)
    session.flush()
    return case


def clean_method(method: str | None) -> str | None:
    """A known authentication method, ``other: <words>``, or None when nothing was checked."""
    text = " ".join((method or "").split())
    if not text:
        return None
    if text in AUTH_METHODS:
        return text
    if text.lower().startswith("other:") and 8 <= len(text) <= 80:
        return text
    raise InvalidInput(f"customer authentication is one of {', '.join(AUTH_METHODS)} or 'other: …'")


def record_authentication(session: Session, agent_id: str, case_id: str, method: str) -> SupportCase:
    """Record, later in the call, how the customer was authenticated."""
    case = own_open_case(session, agent_id, case_id)
    checked = clean_method(method)
    if checked is None:
        raise InvalidInput("say how the customer was authenticated")
    case.customer_authenticated_by = checked
    session.flush()
    return case


def close_case(session: Session, agent_id: str, case_id: str) -> SupportCase:
    case = own_open_case(session, agent_id, case_id)
    case.closed_at = utcnow()
    session.flush()
    return case


def own_open_case(session: Session, agent_id: str, case_id: str) -> SupportCase:
    case = session.get(SupportCase, case_id) if _NAME.match(case_id or "") else None
    if case is None or case.agent_id != agent_id:
        raise NotFound(f"no case {case_id!r} of yours")
    if case.closed_at is not None:
        raise PermissionDenied("this case is closed; open a new one to act again")
    return case


def require_acting_case(
    session: Session, agent_id: str, case_id: str | None, subscriber_id: str
) -> SupportCase:
    """The case an agent may act in for ``subscriber_id`` — or :class:`PermissionDenied` saying why not."""
    if not case_id:
        raise PermissionDenied("open a case for this subscriber before acting on their behalf")
    case = session.get(SupportCase, case_id) if _NAME.match(case_id) else None
    if case is None or case.agent_id != agent_id or case.subscriber_id != subscriber_id:
        raise PermissionDenied("the case is not an open case of yours for this subscriber")
    if case.closed_at is not None:
        raise PermissionDenied("this case is closed; open a new one to act again")
    if not case.customer_authenticated_by:
        raise PermissionDenied("record how the customer was authenticated before acting on their behalf")
    return case


def open_cases(session: Session, agent_id: str, subscriber_id: str | None = None) -> list[SupportCase]:
    query = select(SupportCase).where(SupportCase.agent_id == agent_id, SupportCase.closed_at.is_(None))
    if subscriber_id:
        query = query.where(SupportCase.subscriber_id == subscriber_id)
    return list(session.scalars(query.order_by(SupportCase.opened_at.desc())))


def cases_of(session: Session, subscriber_id: str, limit: int = 20) -> list[SupportCase]:
    query = select(SupportCase).where(SupportCase.subscriber_id == subscriber_id)
    return list(session.scalars(query.order_by(SupportCase.opened_at.desc()).limit(limit)))
