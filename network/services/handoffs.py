"""Conversations the assistant handed off to a person: the queue, picking one up, replying, handing back.

While ``Conversation.mode`` is ``handed_off`` the assistant stays silent in that thread; the agent's replies
are stored as ``agent`` messages and then delivered to the subscriber's chat (:mod:`channels.notify`, web
chat fetches them); handing back sets the mode to ``assistant`` again. Each step is audited
with the agent (and their open case for that subscriber, when they have one). Only the agent handling a
conversation replies in it or hands it back; an admin may take it over first, which is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import audit
from network.actor import Actor
from network.conversations import add_message
from network.db import Database
from network.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from network.events import emit
from network.models import Conversation, Message, Role, Subscriber
from network.services.cases import open_cases

HANDED_OFF = "handed_off"
ASSISTANT = "assistant"
MAX_REPLY = 4000


@dataclass(frozen=True)
class QueueItem:
    conversation_id: str
    subscriber_id: str
    business_name: str
    channel: str
    reason: str | None
    summary: str | None
    agent_id: str | None
    updated_at: datetime


def hand_off(session: Session, conversation: Conversation, note: str) -> None:
    """Pass ``conversation`` to a person: the assistant goes quiet in it and the console queues it."""
    conversation.mode = HANDED_OFF
    conversation.handoff_reason = note
    audit.record(session, "conversation.handed_off", "conversations", conversation.id)


def queue(session: Session, tenant: str | None = None, limit: int = 100) -> list[QueueItem]:
    """Handed-off conversations, the longest waiting first."""
    query = (
        select(Conversation, Subscriber.business_name)
        .join(Subscriber, Subscriber.id == Conversation.subscriber_id)
        .where(Conversation.mode == HANDED_OFF)
        .order_by(Conversation.updated_at, Conversation.id)
        .limit(limit)
    )
    if tenant is not None:
        query = query.where(Subscriber.tenant == tenant)
    return [
        QueueItem(
            c.id, c.subscriber_id, name, c.channel, c.handoff_reason, c.summary, c.agent_id, c.updated_at
        )
        for c, name in session.execute(query).tuples()
    ]


def recent_conversations(session: Session, subscriber_id: str, limit: int = 10) -> list[Conversation]:
    query = select(Conversation).where(Conversation.subscriber_id == subscriber_id)
    return list(session.scalars(query.order_by(Conversation.updated_at.desc()).limit(limit)))


def conversation(session: Session, conversation_id: str) -> Conversation:
    """The conversation an agent opened from the queue (NotFound when there is none)."""
    found = session.get(Conversation, conversation_id)
    if found is None:
        raise NotFound(f"no conversation {conversation_id!r}")
    return found


def messages(session: Session, conversation_id: str, limit: int = 60) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id, Message.role != "tool")
    rows = session.scalars(query.order_by(Message.seq.desc()).limit(limit)).all()
    return list(reversed(rows))


class Handoffs:
    """One member of staff acting on handed-off conversations: an agent on the ones they own (picking up an
    unowned one makes it theirs), an admin on any, after taking it over (audited with the previous owner)."""

    def __init__(self, db: Database, agent_id: str, *, role: Role = Role.AGENT) -> None:
        self.db = db
        self.agent_id = agent_id
        self.role = role

    def pick_up(self, conversation_id: str) -> None:
        with self.writing(conversation_id) as (session, conversation):
            self.pick_up_in(session, conversation)

    def assign(self, conversation_id: str, agent_id: str) -> None:
        """Give the conversation to ``agent_id`` (this agent or another); the trail records who gave it."""
        agent_id = (agent_id or "").strip()
        if not 1 <= len(agent_id) <= 80:
            raise InvalidInput("name the agent to assign the conversation to")
        with self.writing(conversation_id) as (session, conversation):
            if self.role is not Role.ADMIN:
                self._require_owner(conversation, "assign")
            conversation.agent_id = agent_id
            audit.record(session, "conversation.assigned", "conversations", conversation.id, agent=agent_id)

    def take_over(self, conversation_id: str) -> None:
        """An admin makes a conversation theirs, whoever was handling it."""
        if self.role is not Role.ADMIN:
            raise PermissionDenied("only an admin may take over a conversation another agent is handling")
        with self.writing(conversation_id) as (session, conversation):
            previous, conversation.agent_id = conversation.agent_id, self.agent_id
            audit.record(
                session, "conversation.taken_over", "conversations", conversation.id, previous_agent=previous
            )

    def reply(self, conversation_id: str, text: str) -> str:
        with self.writing(conversation_id) as (session, conversation):
            return self.reply_in(session, conversation, text)

    def hand_back(self, conversation_id: str) -> None:
        with self.writing(conversation_id) as (session, conversation):
            self.hand_back_in(session, conversation)

    # --- the same steps inside a unit of work the caller holds (the API adds its idempotency key to it) ---
    def pick_up_in(self, session: Session, conversation: Conversation) -> None:
        if conversation.agent_id not in (None, self.agent_id):
            raise Conflict(f"{conversation.agent_id} is already handling this conversation")
        conversation.agent_id = self.agent_id
        audit.record(session, "conversation.picked_up", "conversations", conversation.id)

    def reply_in(self, session: Session, conversation: Conversation, text: str) -> str:
        text = (text or "").strip()
        if not 1 <= len(text) <= MAX_REPLY:
            raise InvalidInput(f"a reply is 1 to {MAX_REPLY} characters")
        self._require_owner(conversation, "reply in")
        conversation.agent_id = conversation.agent_id or self.agent_id
        message = add_message(session, conversation, "agent", text)
        emit(session, "conversation.agent_replied", conversation_id=conversation.id, message_id=message.id)
        return message.id

    def hand_back_in(self, session: Session, conversation: Conversation) -> None:
        self._require_owner(conversation, "hand back")
        conversation.agent_id = conversation.agent_id or self.agent_id
        conversation.mode = ASSISTANT
        audit.record(session, "conversation.handed_back", "conversations", conversation.id)

    def _require_owner(self, conversation: Conversation, what: str) -> None:
        owner = conversation.agent_id
        if owner not in (None, self.agent_id):
            raise PermissionDenied(
                f"{owner} is handling this conversation; only they may {what} it (an admin may take it over)"
            )

    @contextmanager
    def writing(self, conversation_id: str) -> Iterator[tuple[Session, Conversation]]:
        """The handed-off conversation, in a transaction audited as this member of staff (an agent's audit
        rows name their open case for the subscriber, when they have one)."""
        with self.db.read() as probe:
            found = probe.get(Conversation, conversation_id) if isinstance(conversation_id, str) else None
            if found is None:
                raise NotFound(f"no conversation {conversation_id!r}")
            cases = open_cases(probe, self.agent_id, found.subscriber_id) if self.role is Role.AGENT else []
            case_id = cases[0].id if cases else None  # read before the probe's rollback expires it
        actor = Actor(self.role, self.agent_id, case_id)
        with self.db.transaction(actor) as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.mode != HANDED_OFF:
                raise Conflict("this conversation is not waiting for an agent")
            yield session, conversation
