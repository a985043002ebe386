"""👍/👎 on an assistant reply, stored as ``Message.feedback`` (+1 / -1).

Channels know their own id of a reply they sent (a Slack ``channel:ts``, a WhatsApp ``wamid``, a web reply
id); after sending they attach it to the newest assistant message of the conversation, so a later reaction or
button finds the message. Both writes are plain UPDATEs: feedback is not a decision for the audit trail.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from network.db import Database
from network.models import Conversation, Message

logger = logging.getLogger(__name__)

POSITIVE = frozenset({"+1", "thumbsup", "👍"})
NEGATIVE = frozenset({"-1", "thumbsdown", "👎"})


def score_of(token: str) -> int | None:
    """+1, -1 or None for a Slack reaction (``+1::skin-tone-3``), an emoji (``👍🏽``) or a button value."""
    base = token.strip().split("::", 1)[0]
    if base[:1] in {"👍", "👎"}:
        base = base[:1]  # drop a skin-tone modifier
    if base in POSITIVE:
        return 1
    if base in NEGATIVE:
        return -1
    return None


def remember_reply(db: Database, channel: str, thread_key: str, external_id: str) -> None:
    """Attach ``external_id`` to the newest assistant message of the thread that has none yet."""
    with db.transaction() as session:
        message_id = session.scalar(
            select(Message.id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.channel == channel,
                Conversation.thread_key == thread_key,
                Message.role == "assistant",
                Message.external_id.is_(None),
            )
            .order_by(Message.seq.desc())
            .limit(1)
        )
        if message_id is not None:
            session.execute(
                update(Message).where(Message.id == message_id).values(external_id=external_id[:160])
            )


def record(
    db: Database, channel: str, external_id: str, score: int, *, thread_prefix: str | None = None
) -> bool:
    """Store ``score`` on the reply known by ``external_id`` (within threads starting with ``thread_prefix``,
    when given); False when no such reply exists."""
    query = (
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.channel == channel, Message.external_id == external_id[:160])
    )
    if thread_prefix:
        query = query.where(Conversation.thread_key.startswith(thread_prefix, autoescape=True))
    with db.transaction() as session:
        message_id = session.scalar(query.limit(1))
        if message_id is None:
            logger.info("feedback on an unknown %s message ignored", channel)
            return False
        session.execute(
            update(Message).where(Message.id == message_id).values(feedback=max(-1, min(1, score)))
        )
    return True
