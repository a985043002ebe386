"""An :class:`~assistant.messages.OutboundReply` as Block Kit (with the plain-text fallback Slack shows in
notifications). Buttons carry the encoded :class:`~assistant.messages.Action` as their value; the actions
block's id remembers the thread the buttons belong to."""

from __future__ import annotations

from typing import Any

from assistant.messages import OutboundReply

ACTION_PREFIX = "layer8:"
BLOCK_PREFIX = "layer8|"
MAX_TEXT = 3000  # a section's text limit
MAX_ITEMS = 10


def render(reply: OutboundReply, *, thread_ts: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """``(text, blocks)`` for ``chat.postMessage`` / ``chat.postEphemeral``."""
    blocks: list[dict[str, Any]] = [_section(reply.text or " ")]
    for item in reply.items[:MAX_ITEMS]:
        body = f"*{_escape(item.title)}*" + (f"\n{_escape(item.description)}" if item.description else "")
        blocks.append(_section(body, escape=False))
    if reply.buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": BLOCK_PREFIX + (thread_ts or ""),
                "elements": [
                    _button(i, b.label, b.action.encode(), b.style) for i, b in enumerate(reply.buttons[:25])
                ],
            }
        )
    return reply.text_fallback()[:MAX_TEXT], blocks


def done(text: str) -> list[dict[str, Any]]:
    """The blocks of a message whose buttons were used: what was chosen, no buttons (``text`` is ours)."""
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_TEXT]}]}]


def thread_of(block_id: str) -> str | None:
    """The thread ``ts`` remembered in an actions block id, if any."""
    if not block_id.startswith(BLOCK_PREFIX):
        return None
    return block_id[len(BLOCK_PREFIX) :] or None


def _section(text: str, *, escape: bool = True) -> dict[str, Any]:
    body = _escape(text) if escape else text
    return {"type": "section", "text": {"type": "mrkdwn", "text": body[:MAX_TEXT]}}


def _button(index: int, label: str, value: str, style: str) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": f"{ACTION_PREFIX}{index}",
        "text": {"type": "plain_text", "text": label[:75], "emoji": True},
        "value": value[:2000],
    }
    if style in ("primary", "danger"):
        button["style"] = style
    return button


def _escape(text: str) -> str:
    """Slack's three control characters; keeps a reply from pinging @channel or faking links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
