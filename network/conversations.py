"""Conversations per (channel, thread) and their messages, in the database.

A thread belongs to one subscriber. If a channel ever reuses a thread key for another subscriber (a shared
Slack thread), that subscriber gets a thread of their own, so nobody's history is read into someone else's
prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network.models import Conversation, Message

HISTORY_LIMIT = 10  # messages of recent history in the prompt (older ones are summarised)


def open_conversation(session: Session, channel: str, thread_key: str, subscriber_id: str) -> Conversation:
    key = thread_key[:200]
    conversation = _get(session, channel, key)
    if conversation is not None and conversation.subscriber_id != subscriber_id:
        key = f"{thread_key[:150]}#{subscriber_id}"
        conversation = _get(session, channel, key)
    if conversation is None:
        conversation = Conversation(
            subscriber_id=subscriber_id, channel=channel[:16], thread_key=key, mode="assistant"
        )
        session.add(conversation)
        session.flush()
    return conversation


def _get(session: Session, channel: str, thread_key: str) -> Conversation | None:
    return session.scalars(
        select(Conversation).where(
            Conversation.channel == channel[:16], Conversation.thread_key == thread_key
        )
    ).first()


def add_message(
    session: Session,
    conversation: Conversation,
    role: str,
    content: str,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    external_id: str | None = None,
) -> Message:
    last = session.scalar(select(func.max(Message.seq)).where(Message.conversation_id == conversation.id))
    message = Message(
        conversation_id=conversation.id,
        seq=(last or 0) + 1,
        role=role,
        content=content,
        tool_calls=tool_calls or [],
        external_id=external_id[:160] if external_id else None,
    )
    session.add(message)
    session.flush()
    return message


def add_inbound(
    session: Session, conversation: Conversation, content: str, *, external_id: str | None
) -> Message:
    """The person's message, stored once per channel message id (``external_id``): a turn run again after
    its worker died or the database dropped finds the message its first run stored instead of adding it
    again. A unique index on (conversation, external id) for user messages backs this (migration 0025)."""
    if external_id:
        stored = session.scalars(
            select(Message).where(
                Message.conversation_id == conversation.id,
                Message.role == "user",
                Message.external_id == external_id[:160],
            )
        ).first()
        if stored is not None:
            return stored
    return add_message(session, conversation, "user", content, external_id=external_id)


def recent(session: Session, conversation: Conversation, limit: int = HISTORY_LIMIT) -> list[Message]:
    """The newest user/assistant messages not yet folded into the summary, oldest first."""
    rows = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation.id,
            Message.seq > conversation.summarised_upto,
            Message.role.in_(("user", "assistant", "agent")),
        )
        .order_by(Message.seq.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def said(session: Session, conversation: Conversation, limit: int = 6) -> str:
    """What the person wrote in their last few messages (their own words, newest last)."""
    rows = session.scalars(
        select(Message.content)
        .where(Message.conversation_id == conversation.id, Message.role == "user")
        .order_by(Message.seq.desc())
        .limit(limit)
    ).all()
    return "\n".join(reversed(rows))


def count_unsummarised(session: Session, conversation_id: str) -> int:
    upto = select(Conversation.summarised_upto).where(Conversation.id == conversation_id).scalar_subquery()
    query = select(func.count()).where(
        Message.conversation_id == conversation_id,
        Message.seq > upto,
        Message.role.in_(("user", "assistant", "agent")),
    )
    return int(session.scalar(query) or 0)


def unsummarised(session: Session, conversation_id: str) -> tuple[Conversation | None, list[Message]]:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None, []
    rows = session.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.seq > conversation.summarised_upto,
            Message.role.in_(("user", "assistant", "agent")),
        )
        .order_by(Message.seq)
    ).all()
    return conversation, list(rows)


def last_assistant(session: Session, conversation_id: str) -> Message | None:
    return session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.role == "assistant")
        .order_by(Message.seq.desc())
    ).first()


def proposed_action(message: Message | None) -> str | None:
    """The pending action an assistant message asked the person to confirm, if any."""
    if message is None:
        return None
    for call in message.tool_calls or []:
        if isinstance(call, dict) and call.get("pending_action_id"):
            return str(call["pending_action_id"])
    return None


def find_thread(session: Session, channel: str, thread_key: str, subscriber_id: str) -> Conversation | None:
    """The subscriber's own conversation on ``channel`` with this thread key, if there is one."""
    return session.scalars(
        select(Conversation).where(
            Conversation.channel == channel,
            Conversation.thread_key == thread_key,
            Conversation.subscriber_id == subscriber_id,
        )
    ).first()


def messages_after(
    session: Session, conversation_id: str, after: int, roles: Sequence[str], limit: int
) -> list[Message]:
    """Messages of these roles with a sequence number above ``after``, oldest first."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.seq > after, Message.role.in_(roles))
            .order_by(Message.seq)
            .limit(limit)
        )
    )


def latest_messages(
    session: Session, conversation_id: str, roles: Sequence[str], limit: int
) -> list[Message]:
    """The newest ``limit`` messages of these roles, oldest first (what a page redraws on load)."""
    rows = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.role.in_(roles))
        .order_by(Message.seq.desc())
        .limit(limit)
    ).all()
    return list(reversed(rows))


def last_seq(session: Session, conversation_id: str) -> int:
    """The sequence number of the conversation's newest message (0 when it has none)."""
    return (
        session.scalar(select(func.max(Message.seq)).where(Message.conversation_id == conversation_id)) or 0
    )


def message_in(session: Session, message_id: str) -> tuple[Message, Conversation] | None:
    """A message with its conversation, or None when either is gone."""
    message = session.get(Message, message_id)
    conversation = session.get(Conversation, message.conversation_id) if message else None
    return None if message is None or conversation is None else (message, conversation)
