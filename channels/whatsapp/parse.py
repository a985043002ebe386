"""A WhatsApp webhook body → what happened, one item per message (statuses and the rest: counted, not used).

Handled: ``text``; ``interactive`` button and list replies; ``button`` (a template's quick reply);
``reaction`` (as feedback); a message's ``context`` (the message it answers); ``read`` statuses (the ids of
our messages that were read). Everything else — other statuses, media, locations, contacts, orders,
``unsupported``, unreactions, other fields — is acknowledged and not answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class Incoming:
    kind: str  # "message" | "reaction"
    message_id: str
    sender: str  # wa_id, digits only
    phone_number_id: str | None
    timestamp: int
    text: str = ""
    choice: str | None = None  # an interactive reply id
    emoji: str = ""
    reacted_to: str = ""
    replied_to: str = ""  # the wamid of the message this answers (a button's message, a quoted reply)

    def task(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "timestamp": self.timestamp,
            "text": self.text,
            "choice": self.choice,
            "emoji": self.emoji,
            "reacted_to": self.reacted_to,
            "replied_to": self.replied_to,
        }


@dataclass(slots=True)
class Parsed:
    items: list[Incoming] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # wamids of our messages the recipient has read
    ignored: int = 0
    unusable: str | None = None  # why a signed body (or part of it) did not have WhatsApp's shape


def parse(body: Any) -> Parsed:
    """Never raises: a field of the wrong type makes its message (or the body) unusable, not an error."""
    out = Parsed()
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        out.ignored += 1
        out.unusable = "not a WhatsApp Business Account notification"
        return out
    if not isinstance(body.get("entry"), list):
        out.unusable = "entry is not a list"
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                out.ignored += 1
                continue
            phone_id = _text(_dict(value.get("metadata")).get("phone_number_id"))
            statuses = _dicts(value.get("statuses"))
            out.read += [
                _text(s.get("id")) for s in statuses if s.get("status") == "read" and _text(s.get("id"))
            ]
            out.ignored += len(statuses)
            for message in _dicts(value.get("messages")):
                item = _incoming(message, phone_id or None)
                if item is None:
                    out.ignored += 1
                else:
                    out.items.append(item)
            if _malformed(value):
                out.unusable = "a message or status of the wrong type"
    return out


def _incoming(m: dict[str, Any], phone_id: str | None) -> Incoming | None:
    message_id, sender, kind = _text(m.get("id")), _text(m.get("from")), m.get("type")
    if not message_id or not (sender.isascii() and sender.isdigit()) or len(sender) > 20:
        return None

    def make(
        what: str = "message", text: str = "", choice: str | None = None, emoji: str = "", to: str = ""
    ) -> Incoming:
        replied_to = _text(_dict(m.get("context")).get("id"))
        return Incoming(
            what, message_id, sender, phone_id, _int(m), text[:MAX_TEXT], choice, emoji, to, replied_to
        )

    if kind == "text":
        text = _text(_dict(m.get("text")).get("body")).strip()
        return make(text=text) if text else None
    if kind == "interactive":
        interactive = _dict(m.get("interactive"))
        kind_of_reply = interactive.get("type")
        reply = _dict(interactive.get(kind_of_reply)) if kind_of_reply in _REPLIES else {}
        choice = _text(reply.get("id"))
        return make(text=_text(reply.get("title")), choice=choice) if choice else None
    if kind == "button":
        button = _dict(m.get("button"))
        payload, text = _text(button.get("payload")), _text(button.get("text"))
        return make(text=text, choice=payload or None) if payload or text else None
    if kind == "reaction":
        reaction = _dict(m.get("reaction"))
        emoji, target = _text(reaction.get("emoji")), _text(reaction.get("message_id"))
        return make("reaction", emoji=emoji, to=target) if emoji and target else None
    return None


_REPLIES = ("button_reply", "list_reply")


def _malformed(value: dict[str, Any]) -> bool:
    """Messages or statuses that are present but not lists of objects."""
    for name in ("messages", "statuses"):
        listed = value.get(name)
        if listed is not None and (not isinstance(listed, list) or len(_dicts(listed)) != len(listed)):
            return True
    return False


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """A string field as text we can store: numbers are accepted as digits, anything else is empty; no NUL
    and no lone surrogate (a JSON escape can carry either; no database stores them)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    text = str(value) if isinstance(value, int) else value
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _int(m: dict[str, Any]) -> int:
    """A Unix time in seconds, or 0 when it is missing or not a plausible one."""
    try:
        value = int(m.get("timestamp") or 0)
    except (TypeError, ValueError, OverflowError):
        return 0
    return value if 0 <= value < 10**11 else 0
