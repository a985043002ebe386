"""A WhatsApp webhook body → what happened, one item per message (statuses and the rest: counted, not used).

Handled: ``text``; ``interactive`` button and list replies; ``button`` (a template's quick reply);
``reaction`` (as feedback). Everything else — statuses, media, locations, contacts, orders, ``unsupported``,
unreactions, other fields — is acknowledged and not answered.
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

    def task(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "from": self.sender,
            "timestamp": self.timestamp,
            "text": self.text,
            "choice": self.choice,
            "emoji": self.emoji,
            "reacted_to": self.reacted_to,
        }


@dataclass(slots=True)
class Parsed:
    items: list[Incoming] = field(default_factory=list)
    ignored: int = 0


def parse(body: Any) -> Parsed:
    out = Parsed()
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        out.ignored += 1
        return out
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value") if isinstance(change.get("value"), dict) else {}
            if change.get("field") != "messages" or not isinstance(value, dict):
                out.ignored += 1
                continue
            phone_id = (value.get("metadata") or {}).get("phone_number_id")
            out.ignored += len(_dicts(value.get("statuses")))
            for message in _dicts(value.get("messages")):
                item = _incoming(message, str(phone_id) if phone_id else None)
                if item is None:
                    out.ignored += 1
                else:
                    out.items.append(item)
    return out


def _incoming(m: dict[str, Any], phone_id: str | None) -> Incoming | None:
    message_id, sender, kind = str(m.get("id") or ""), str(m.get("from") or ""), m.get("type")
    if not message_id or not sender.isdigit():
        return None

    def make(
        what: str = "message", text: str = "", choice: str | None = None, emoji: str = "", to: str = ""
    ) -> Incoming:
        return Incoming(what, message_id, sender, phone_id, _int(m), text[:MAX_TEXT], choice, emoji, to)

    if kind == "text":
        text = str((m.get("text") or {}).get("body") or "").strip()
        return make(text=text) if text else None
    if kind == "interactive":
        interactive = m.get("interactive") or {}
        reply = interactive.get(interactive.get("type")) if interactive.get("type") in _REPLIES else None
        if isinstance(reply, dict) and reply.get("id"):
            return make(text=str(reply.get("title") or ""), choice=str(reply["id"]))
        return None
    if kind == "button":
        button = m.get("button") or {}
        payload, text = str(button.get("payload") or ""), str(button.get("text") or "")
        return make(text=text, choice=payload or None) if payload or text else None
    if kind == "reaction":
        reaction = m.get("reaction") or {}
        emoji, target = str(reaction.get("emoji") or ""), str(reaction.get("message_id") or "")
        return make("reaction", emoji=emoji, to=target) if emoji and target else None
    return None


_REPLIES = ("button_reply", "list_reply")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _int(m: dict[str, Any]) -> int:
    try:
        return int(m.get("timestamp") or 0)
    except (TypeError, ValueError):
        return 0
