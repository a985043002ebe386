"""The neutral message model every channel speaks: ``InboundMessage`` → assistant → ``OutboundReply``.

Rich elements (buttons, lists) always have a text fallback, so a new channel only has to send text.
Channels convert their payloads to and from these; the assistant core never sees a channel's shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from network.ids import utcnow

ActionKind = Literal["confirm", "cancel", "accept_intro", "decline_intro", "feedback", "rsvp", "nps", "meet"]
ACTION_KINDS = ("confirm", "cancel", "accept_intro", "decline_intro", "feedback", "rsvp", "nps", "meet")
# a scale as text (0–10, or the 0-or-1 follow-up): the number typed is the score itself, not a position
SCALE_FALLBACK = "Reply with a number from {low} to {high}."


@dataclass(frozen=True, slots=True)
class Action:
    """A button press or list choice: ``kind`` plus the id of what it acts on (a pending action, an intro)."""

    kind: ActionKind
    target_id: str
    value: str | None = None

    def encode(self) -> str:
        return f"{self.kind}:{self.target_id}" + (f":{self.value}" if self.value else "")

    @classmethod
    def decode(cls, raw: str) -> Action | None:
        parts = raw.split(":", 2)
        if len(parts) < 2 or parts[0] not in ACTION_KINDS:
            return None
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 else None)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message addressed to the assistant, with an identity the channel has verified."""

    channel: str  # slack | whatsapp | web | terminal | api | console
    thread_key: str  # stable per conversation thread within the channel
    subscriber_id: str | None  # None: the channel identity is not linked yet
    text: str = ""
    action: Action | None = None
    external_user: str | None = None  # the channel's own id of the sender (for linking)
    message_id: str | None = None  # the channel's id, for de-duplication
    context: tuple[str, ...] = ()  # earlier thread messages the channel supplies (e.g. a Slack thread)
    # the channel's id of the message this answers (the message a button was on, a quoted or thread reply)
    in_reply_to: str | None = None
    received_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    action: Action
    style: Literal["primary", "danger", "default"] = "default"


@dataclass(frozen=True, slots=True)
class ListItem:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class ToolCallView:
    name: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a reply where the channel takes files (an event's calendar file on Slack and
    WhatsApp). ``fallback`` — a line with the file's link — stands in for it wherever it is not sent."""

    filename: str
    media_type: str
    content: bytes
    fallback: str


@dataclass(slots=True)
class OutboundReply:
    text: str
    buttons: list[Button] = field(default_factory=list)
    items: list[ListItem] = field(default_factory=list)
    private: bool = False  # ephemeral where the channel supports it
    pending_action: dict[str, Any] | None = None
    tool_calls: list[ToolCallView] = field(default_factory=list)
    error_code: str | None = None  # set when the turn failed; text then says why, politely
    attachment: Attachment | None = None

    def without_attachment(self) -> OutboundReply:
        """The reply for a channel that does not send the file: its fallback line joins the text."""
        if self.attachment is None:
            return self
        text = f"{self.text}\n{self.attachment.fallback}" if self.text else self.attachment.fallback
        return replace(self, text=text, attachment=None)

    def text_fallback(self) -> str:
        """The reply as plain text: buttons and list items become numbered options."""
        lines = [self.text]
        scale = self.scale_values()
        if scale:
            return "\n".join([*lines, "", SCALE_FALLBACK.format(low=scale[0], high=scale[-1])])
        options = [b.label for b in self.buttons] + [
            f"{i.title} — {i.description}" if i.description else i.title for i in self.items
        ]
        if options:
            lines.append("")
            lines += [f"{n}. {label}" for n, label in enumerate(options, start=1)]
            lines.append("Reply with the number of your choice.")
        return "\n".join(lines)

    def is_scale(self) -> bool:
        """A 0–10 scale (the NPS question): eleven buttons whose values are the numbers 0 to 10."""
        return self.scale_values() == list(range(11))

    def scale_values(self) -> list[int]:
        """The numbers of a scale whose buttons are all scores (the NPS question, or its 0-or-1 follow-up),
        in order; ``[]`` for any other reply."""
        values = [b.action.value or "" for b in self.buttons if b.action.kind == "nps"]
        if self.items or not self.buttons or len(values) != len(self.buttons):
            return []
        if not all(v.isdigit() for v in values):
            return []
        return [int(v) for v in values]

    def option_actions(self) -> list[Action | None]:
        """What each numbered option of :meth:`text_fallback` means, for channels that only get text back."""
        return [b.action for b in self.buttons] + [None for _ in self.items]
