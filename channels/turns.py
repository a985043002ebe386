"""One turn for a channel identity: link it or refuse, then ask the assistant, never fail silently.

Channels call :meth:`TurnRunner.run` from a background task with the identity they verified
(``InboundMessage.external_user``) and no subscriber. The runner resolves the identity, counts the turn
against the subscriber's turns limit (every channel shares it), refusing politely past it; an unknown one can
only send a link code (see :mod:`network.services.linking`) — nothing else reaches the assistant, so no tool
runs for it. A bare number answers the numbered options of the thread's last reply. Any failure becomes a
polite reply with an error code, never silence — except a passing database outage, which :meth:`run` raises
as :class:`~network.errors.StorageUnavailable` so the queue runs the turn again after a pause (and the
person gets the error reply only when its attempts run out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.messages import Action, InboundMessage, OutboundReply
from channels import texts
from channels.options import OptionStore, choices_of, choose
from channels.ports import AssistantPort
from network import digest_engagement
from network.db import Database
from network.errors import Layer8Error, RateLimited, StorageUnavailable
from network.outage import is_transient
from network.services import linking
from tools import phrases

logger = logging.getLogger(__name__)


@dataclass
class TurnRunner:
    db: Database
    assistant: Callable[[], AssistantPort]
    options: OptionStore
    # counts one turn of a subscriber; raises RateLimited past the turns limit (the web chat counts its own)
    count_turn: Callable[[str], None] = lambda _subscriber_id: None

    def run(self, msg: InboundMessage) -> OutboundReply:
        if not msg.external_user:
            raise ValueError("a channel turn needs the verified external user")
        symbols = linking.parse_code(msg.text) if msg.action is None else None
        business: str | None = None
        with self.db.transaction() as session:
            subscriber_id = linking.resolve(session, msg.channel, msg.external_user)
            if subscriber_id is None and symbols:
                subscriber = linking.redeem(session, msg.channel, msg.external_user, symbols)
                business = subscriber.business_name if subscriber else None
        if subscriber_id is None:
            return self._unlinked(msg, symbols, business)
        if msg.in_reply_to:  # a button on a digest, or a reply to one: the digest was acted on
            with self.db.transaction() as session:
                digest_engagement.acted(session, subscriber_id, msg.in_reply_to, msg.received_at)
        if symbols:
            return OutboundReply(texts.ALREADY_LINKED, private=True)
        try:
            self.count_turn(subscriber_id)
        except RateLimited as exc:
            logger.info("turn on %s refused: over the turns limit", msg.channel)
            return OutboundReply(texts.TOO_MANY_TURNS.format(seconds=exc.retry_after), error_code=exc.code)
        msg = replace(self._with_choice(msg), subscriber_id=subscriber_id)
        reply = self._answer(msg)
        if reply.error_code == StorageUnavailable.code:
            # the records are unreachable for now: the queue runs the turn again (the thread's numbered
            # options stay as they were, so a "2" still means what it meant)
            raise StorageUnavailable("the records are unreachable; the turn runs again later")
        self.options.remember(msg.thread_key, choices_of(reply))
        return reply

    def ask(self, msg: InboundMessage) -> OutboundReply:
        """The assistant's reply to a message from a known subscriber (errors become polite replies)."""
        reply = self._answer(msg)
        self.options.remember(msg.thread_key, choices_of(reply))
        return reply

    def _answer(self, msg: InboundMessage) -> OutboundReply:
        try:
            reply = self.assistant().handle(msg)
        except Layer8Error as exc:
            logger.warning("turn on %s ended with %s", msg.channel, exc.code)
            reply = OutboundReply(phrases.ACTION_FAILED.format(reason=exc.message), error_code=exc.code)
        except Exception as exc:
            if is_transient(exc):
                logger.warning("turn on %s met a database outage (%s)", msg.channel, type(exc).__name__)
                return OutboundReply(phrases.STORAGE_ERROR, error_code=StorageUnavailable.code)
            logger.exception("turn on %s failed", msg.channel)
            reply = OutboundReply(phrases.MODEL_ERROR, error_code="internal_error")
        return reply

    def _with_choice(self, msg: InboundMessage) -> InboundMessage:
        if msg.action is not None:
            return msg
        choice = choose(self.options, msg.thread_key, msg.text)
        if isinstance(choice, Action):
            return replace(msg, action=choice)
        if choice:
            return replace(msg, text=choice)
        return msg

    @staticmethod
    def _unlinked(msg: InboundMessage, symbols: str | None, business: str | None) -> OutboundReply:
        logger.info("message from an unlinked %s identity", msg.channel)
        if business:
            return OutboundReply(texts.LINKED.format(business=business), private=True)
        if symbols:
            return OutboundReply(texts.LINK_CODE_INVALID, private=True)
        return OutboundReply(phrases.NOT_LINKED, private=True)
