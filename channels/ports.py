"""What the channels need from the rest of Layer8, as small protocols (the core imports no channel).

The composition root's application satisfies :class:`Parts`; a channel route asks only for the part it
uses (``DbDep``, ``SettingsDep`` in :mod:`channels.api.deps`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol

from assistant.messages import InboundMessage, OutboundReply
from assistant.settings import Settings
from network.actor import Actor
from network.db import Database
from network.erasure import ErasureReport
from ossbss.incentives import Incentives


class AssistantPort(Protocol):
    """``assistant.service.Assistant``: one turn, whole or streamed (text chunks, then the final reply)."""

    def handle(self, msg: InboundMessage) -> OutboundReply: ...

    def stream(self, msg: InboundMessage) -> Iterator[str | OutboundReply]: ...


class MatchSource(Protocol):
    """``retrieval.matching.Matcher``: suggestions with ``business_name`` and ``reasons``."""

    def suggest(self, subscriber_id: str, top: int = 5) -> Sequence[Any]: ...


class WhatsAppOut(Protocol):
    """``channels.whatsapp.sender.WhatsAppSender``: a reply to a WhatsApp number (returns its ``wamid``)."""

    def send(
        self, to: str, reply: OutboundReply, *, last_inbound_at: datetime | None, purpose: str = "default"
    ) -> str | None: ...

    def close(self) -> None: ...


class ErasurePort(Protocol):
    """``network.erasure.Eraser``: erase a subscriber everywhere and check that nothing is left."""

    def erase(self, subscriber_id: str, *, actor: Actor, reason: str | None = None) -> ErasureReport: ...


class Parts(Protocol):
    """The application's parts the channels use: settings, the records, the assistant and matches."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def assistant(self) -> AssistantPort: ...

    @property
    def matcher(self) -> MatchSource: ...

    @property
    def incentives(self) -> Incentives: ...

    @property
    def eraser(self) -> ErasurePort: ...
