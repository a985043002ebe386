"""An :class:`~assistant.messages.OutboundReply` as a WhatsApp message.

Up to three buttons → interactive reply buttons (ids are the encoded actions, titles ≤ 20 characters). List
items, or more buttons, → an interactive list (≤ 10 rows; a button row's id is its action, an item row's id
``n:<number>`` is its position in the numbered fallback). Anything that does not fit → text with the numbered
fallback, which a person answers with a number. Outside the 24-hour window → only an approved template.

The NPS question's 0–10 scale has eleven options, one more than a list's rows: it goes as a list whose first
row stands for 0 and 1 (a tap on it asks "0 or 1?" with two buttons) and one row for each of 2 to 10. Typing
the number works as well.
"""

from __future__ import annotations

from typing import Any

from assistant.messages import Action, OutboundReply
from assistant.nps import LOWEST
from channels import texts

MAX_BUTTONS = 3
MAX_ROWS = 10
MAX_BODY = 1024
MAX_TEXT = 4096
LIST_BUTTON = "Choose"


def message(reply: OutboundReply) -> dict[str, Any]:
    options = len(reply.buttons) + len(reply.items)
    if reply.is_scale() and len(reply.text) <= MAX_BODY:
        return _scale(reply)
    if options == 0 or len(reply.text) > MAX_BODY or options > MAX_ROWS:
        return text(reply.text_fallback())
    if not reply.items and len(reply.buttons) <= MAX_BUTTONS:
        return _buttons(reply)
    return _list(reply)


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body[:MAX_TEXT], "preview_url": False}}


def document(media_id: str, filename: str) -> dict[str, Any]:
    """A document message naming an uploaded file (the phone picks the icon and app by its extension)."""
    return {"type": "document", "document": {"id": media_id, "filename": filename}}


def template(name: str, language: str, body: str) -> dict[str, Any]:
    """An approved template with one body variable ``{{1}}`` carrying the reply's text."""
    parameters = [{"type": "text", "text": " ".join(body.split())[:MAX_BODY]}]
    return {
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [{"type": "body", "parameters": parameters}],
        },
    }


def _buttons(reply: OutboundReply) -> dict[str, Any]:
    buttons = [
        {"type": "reply", "reply": {"id": b.action.encode()[:256], "title": _cut(b.label, 20)}}
        for b in reply.buttons
    ]
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": reply.text or " "},
            "action": {"buttons": buttons},
        },
    }


def _list(reply: OutboundReply) -> dict[str, Any]:
    rows = [{"id": b.action.encode()[:200], "title": _cut(b.label, 24)} for b in reply.buttons]
    for n, item in enumerate(reply.items, start=len(reply.buttons) + 1):
        row = {"id": f"n:{n}", "title": _cut(item.title, 24)}
        if item.description:
            row["description"] = _cut(item.description, 72)
        rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": reply.text or " "},
            "action": {"button": LIST_BUTTON, "sections": [{"rows": rows}]},
        },
    }


def _scale(reply: OutboundReply) -> dict[str, Any]:
    """The 0–10 scale in ten rows: "0 or 1", then 2 … 10; the ends say what they mean."""
    survey_id = reply.buttons[0].action.target_id
    lowest = Action("nps", survey_id, LOWEST).encode()
    rows = [{"id": lowest, "title": texts.NPS_ROW_LOWEST, "description": texts.NPS_ROW_LOW_END}]
    rows += [{"id": b.action.encode()[:200], "title": b.label} for b in reply.buttons[2:]]
    rows[-1]["description"] = texts.NPS_ROW_HIGH_END
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": reply.text},
            "action": {"button": texts.NPS_LIST_BUTTON, "sections": [{"rows": rows}]},
        },
    }


def _cut(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
