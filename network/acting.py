"""Acting through the API: for whom a verified principal reads and acts, in one audited unit of work.

A subscriber acts for itself. A support agent acts for a subscriber only inside an open case of their own
for that subscriber in which the customer was authenticated (the same rule as the console); every such act
is audited with the agent and the case, and one ``on_behalf.*`` event names it. An operator admin reads the
whole tenant and takes the operator's decisions (incentives, voiding deals, webhooks), but never speaks for
a subscriber.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from network import audit
from network.db import Database
from network.errors import CaseRequired, PermissionDenied
from network.listing import Scope
from network.models import Role
from network.services.cases import require_acting_case
from network.tokens import Principal

NO_CASE = "an agent needs the X-Layer8-Case header naming an open, authenticated case of theirs"


def reader_scope(principal: Principal, tenant: str) -> Scope:
    """What ``principal`` may read: its subscriber's records, or the whole tenant for an admin."""
    if principal.role is Role.ADMIN:
        return Scope(tenant)
    if principal.subscriber_id is None:
        raise CaseRequired(NO_CASE)
    return Scope(tenant, principal.subscriber_id)


@contextmanager
def acting(db: Database, principal: Principal, act: str, **data: Any) -> Iterator[tuple[Session, str]]:
    """A transaction in which ``principal`` acts for its subscriber (yields the session and that id)."""
    if principal.role is Role.ADMIN:
        raise PermissionDenied("an admin token does not act for a subscriber; use theirs or a case")
    subscriber_id = principal.subscriber_id
    if subscriber_id is None:
        raise CaseRequired(NO_CASE)
    with db.transaction(principal.actor) as session:
        if principal.role is Role.AGENT:
            assert principal.agent_id is not None
            require_acting_case(session, principal.agent_id, principal.case_id, subscriber_id)
        yield session, subscriber_id
        if principal.role is Role.AGENT:
            audit.record(session, f"on_behalf.{act}", "subscribers", subscriber_id, via="api", **data)


@contextmanager
def operating(db: Database, principal: Principal) -> Iterator[Session]:
    """A transaction for an operator's decision: admins only."""
    if principal.role is not Role.ADMIN:
        raise PermissionDenied("this is an operator's decision: it needs an admin token")
    with db.transaction(principal.actor) as session:
        yield session
