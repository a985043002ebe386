"""Building :class:`OutboundReply` objects the same way everywhere (buttons for pending actions, lists)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from assistant.messages import Action, Button, ListItem, OutboundReply
from tools import phrases
from tools.ports import Match

_STYLES: dict[str, Literal["primary", "danger", "default"]] = {"primary": "primary", "danger": "danger"}


def text(body: str, *, error_code: str | None = None, private: bool = False) -> OutboundReply:
    return OutboundReply(text=body, error_code=error_code, private=private)


def confirm_buttons(action_id: str) -> list[Button]:
    return [
        Button(phrases.CONFIRM_LABEL, Action("confirm", action_id), "primary"),
        Button(phrases.CANCEL_LABEL, Action("cancel", action_id), "danger"),
    ]


def ask_to_confirm(reply: OutboundReply, view: dict[str, Any], *, question: str | None = None) -> None:
    """Attach a pending action: its summary as a question, Confirm/Cancel buttons, and its view."""
    line = question or phrases.PLEASE_CONFIRM.format(summary=view["summary"])
    reply.text = f"{reply.text}\n\n{line}".strip()
    reply.buttons = confirm_buttons(view["id"])
    reply.pending_action = view
    reply.private = True


def intro_buttons(introduction_id: str) -> list[Button]:
    return [
        Button(phrases.ACCEPT_LABEL, Action("accept_intro", introduction_id), "primary"),
        Button(phrases.DECLINE_LABEL, Action("decline_intro", introduction_id), "danger"),
    ]


def rsvp_buttons(event_id: str) -> list[Button]:
    """Going / Can't go for one event (an RSVP is the person's own answer: no confirmation step)."""
    return [
        Button(phrases.GOING_LABEL, Action("rsvp", event_id, "yes"), "primary"),
        Button(phrases.NOT_GOING_LABEL, Action("rsvp", event_id, "no")),
    ]


def effect_buttons(buttons: Iterable[dict[str, str]]) -> list[Button]:
    """Buttons a tool asked for this turn (``TurnEffects.buttons``); an unknown kind is dropped."""
    out = []
    for b in buttons:
        action = Action.decode(":".join(p for p in (b["kind"], b["target_id"], b.get("value")) if p))
        if action is not None:
            out.append(Button(b["label"], action, _STYLES.get(b.get("style", ""), "default")))
    return out


def list_items(items: Iterable[dict[str, Any]]) -> list[ListItem]:
    return [ListItem(str(i["id"]), str(i["title"]), str(i.get("description", ""))) for i in items]


def match_items(matches: Iterable[Match]) -> list[ListItem]:
    return [ListItem(m.subscriber_id, m.business_name, " ".join(m.reasons[:1])) for m in matches]
