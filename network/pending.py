"""Pending actions: work that moves money, changes consent or shares contact details waits for the person.

A tool only *proposes* (:func:`propose`); no tool can confirm. Confirmation comes from the person's own
button press or an explicit "yes"/"confirm" reply to the newest proposal (the assistant reads those), and
:class:`PendingActions`
executes it with the action's idempotency key, under a row lock: a second confirmation (a double click, a
channel retry, a race) returns the first result and never writes a second row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import audit
from network.actor import Actor
from network.db import Database
from network.errors import NotFound
from network.ids import new_id, utcnow
from network.models import PendingAction, PendingActionState
from network.rows import row_json

logger = logging.getLogger(__name__)

TTL = timedelta(hours=24)
KINDS = (
    "record_deal",
    "change_consent",
    "request_introduction",
    "share_contact",
    "confirm_profile",
    "log_referral",
    "update_referral",
)
Executor = Callable[[Session, PendingAction], dict[str, Any]]


class Proposer(Protocol):
    """Who proposes, and in which conversation (a tool's server-side context)."""

    @property
    def subscriber_id(self) -> str: ...

    @property
    def conversation_id(self) -> str | None: ...


@dataclass(frozen=True)
class Wording:
    """What the person is told when an action can no longer be decided (the assistant's phrases)."""

    cancelled: str
    already_done: str
    already_cancelled: str
    expired: str


def propose(
    session: Session, ctx: Proposer, kind: str, summary: str, payload: dict[str, Any]
) -> PendingAction:
    """Record work awaiting the person's confirmation; the same open proposal is returned, not repeated."""
    if kind not in KINDS:
        raise ValueError(f"unknown pending action kind {kind!r}")
    same = session.scalars(
        select(PendingAction).where(
            PendingAction.subscriber_id == ctx.subscriber_id,
            PendingAction.kind == kind,
            PendingAction.state == PendingActionState.PENDING.value,
        )
    ).all()
    for action in same:
        if action.payload == payload and action.conversation_id == ctx.conversation_id:
            return action
    action = PendingAction(
        subscriber_id=ctx.subscriber_id,
        conversation_id=ctx.conversation_id,
        kind=kind,
        summary=summary,
        payload=payload,
        state=PendingActionState.PENDING.value,
        idempotency_key=new_id("pak"),
        expires_at=utcnow() + TTL,
    )
    session.add(action)
    session.flush()
    return action


def newest(session: Session, subscriber_id: str, conversation_id: str) -> PendingAction | None:
    """The newest open proposal in this conversation (what a typed "yes" refers to)."""
    return session.scalars(
        select(PendingAction)
        .where(
            PendingAction.subscriber_id == subscriber_id,
            PendingAction.conversation_id == conversation_id,
            PendingAction.state == PendingActionState.PENDING.value,
        )
        .order_by(PendingAction.created_at.desc(), PendingAction.id.desc())
    ).first()


def view(action: PendingAction) -> dict[str, Any]:
    """The pending action as channels and ``layer8 ask --json`` show it."""
    return row_json(action, ("id", "kind", "summary", "state", "expires_at"))


@dataclass
class Outcome:
    """What a confirmation or cancellation did, in words, plus the stored result."""

    text: str
    state: str
    kind: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    repeated: bool = False  # the action had been decided before; nothing new happened


class PendingActions:
    def __init__(
        self,
        db: Database,
        executors: dict[str, Executor],
        cancellers: dict[str, Executor],
        wording: Wording,
    ) -> None:
        self.db = db
        self.wording = wording
        self.executors = executors
        self.cancellers = cancellers

    def confirm(self, subscriber_id: str, action_id: str) -> Outcome:
        with self.db.transaction(Actor.subscriber(subscriber_id)) as session:
            action = _locked(session, subscriber_id, action_id)
            settled = _settled(action, self.wording)
            if settled is not None:
                return settled
            result = self.executors[action.kind](session, action)
            action.state, action.result, action.decided_at = (
                PendingActionState.CONFIRMED.value,
                result,
                utcnow(),
            )
            audit.record(session, "pending_action.confirmed", "pending_actions", action.id, kind=action.kind)
            logger.info("pending action %s (%s) confirmed", action.id, action.kind)
            return Outcome(str(result.get("text", "")), action.state, action.kind, result)

    def cancel(self, subscriber_id: str, action_id: str) -> Outcome:
        with self.db.transaction(Actor.subscriber(subscriber_id)) as session:
            action = _locked(session, subscriber_id, action_id)
            settled = _settled(action, self.wording)
            if settled is not None:
                return settled
            canceller = self.cancellers.get(action.kind)
            result = canceller(session, action) if canceller is not None else {}
            action.state, action.decided_at = PendingActionState.CANCELLED.value, utcnow()
            audit.record(session, "pending_action.cancelled", "pending_actions", action.id, kind=action.kind)
            return Outcome(str(result.get("text", self.wording.cancelled)), action.state, action.kind, result)


def _locked(session: Session, subscriber_id: str, action_id: str) -> PendingAction:
    action = session.scalars(
        select(PendingAction).where(PendingAction.id == action_id).with_for_update()
    ).first()
    if action is None or action.subscriber_id != subscriber_id:
        raise NotFound("no such request waiting for you")
    return action


def _settled(action: PendingAction, wording: Wording) -> Outcome | None:
    """The outcome of an action that can no longer be decided, or None when it is still open."""
    if action.state == PendingActionState.CONFIRMED.value:
        first = str((action.result or {}).get("text", ""))
        return Outcome(
            f"{wording.already_done} {first}".strip(), action.state, action.kind, action.result or {}, True
        )
    if action.state == PendingActionState.CANCELLED.value:
        return Outcome(wording.already_cancelled, action.state, action.kind, repeated=True)
    expired = action.expires_at is not None and action.expires_at < utcnow()
    if action.state == PendingActionState.EXPIRED.value or expired:
        action.state = PendingActionState.EXPIRED.value
        return Outcome(wording.expired, action.state, action.kind, repeated=True)
    return None
