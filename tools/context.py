"""The server-side context of one turn: who is acting, where, in which conversation.

Built by the assistant from the channel's verified identity — never from anything a
model wrote. Tools receive it as a bound argument; their pydantic argument models forbid extra fields, so a
model cannot smuggle in a ``subscriber_id`` and act for someone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from network.actor import Actor


@dataclass(frozen=True, slots=True)
class Source:
    citation: str  # "cash-flow#late-payers"
    text: str


@dataclass(frozen=True, slots=True)
class ToolContext:
    subscriber_id: str
    tenant: str
    channel: str
    conversation_id: str | None
    thread_key: str
    user_text: str = ""  # the person's last few messages (decides declared vs inferred profile values)
    currency: str = "GBP"  # the operator's default currency for amounts given without one

    @property
    def actor(self) -> Actor:
        return Actor.subscriber(self.subscriber_id)


@dataclass(frozen=True, slots=True)
class Advice:
    """A bottleneck question and the playbook steps the server picked to answer it."""

    question: str
    steps: str


@dataclass(slots=True)
class TurnEffects:
    """What tools did this turn that the reply must show: a pending action, list items, buttons, a handoff,
    sources."""

    pending_action_id: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)
    # buttons the reply offers: {"label", "kind", "target_id", "value", "style"} (e.g. an event's RSVP)
    buttons: list[dict[str, str]] = field(default_factory=list)
    handed_off: bool = False
    sources: list[Source] = field(default_factory=list)  # knowledge passages the model was shown
    advice: Advice | None = None  # playbook steps the server picked, for the model to frame
