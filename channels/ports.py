"""What the channels need from the rest of Layer8, as small protocols (the core imports no channel)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from assistant.messages import InboundMessage, OutboundReply


class AssistantPort(Protocol):
    """``assistant.service.Assistant``: one turn, whole or streamed (text chunks, then the final reply)."""

    def handle(self, msg: InboundMessage) -> OutboundReply: ...

    def stream(self, msg: InboundMessage) -> Iterator[str | OutboundReply]: ...
