"""Slack payloads → small JSON tasks (what a background turn needs, nothing more), and thread keys.

A direct message thread is the DM channel (or a thread inside it); a mention's thread is the channel thread
*per person*, so two colleagues mentioning the bot in one thread keep separate conversations (and records).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# message subtypes that are a person writing; edits, deletions, joins and bot posts are not
_PERSON_SUBTYPES = {None, "file_share", "thread_broadcast"}
_MAX_TEXT = 4000


def message_task(
    body: dict[str, Any], event: dict[str, Any], bot_user_id: str | None
) -> dict[str, Any] | None:
    """A task for a direct message or a mention, or None when it is not addressed to us by a person."""
    kind = _kind(event)
    if kind is None or event.get("bot_id") or not event.get("user") or event.get("user") == bot_user_id:
        return None
    text = str(event.get("text") or "")
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", "", text)
    return {
        "kind": kind,
        "event_id": str(body.get("event_id") or f"{event.get('channel')}:{event.get('ts')}"),
        "team": str(event.get("team") or body.get("team_id") or ""),
        "user": str(event["user"]),
        "channel": str(event.get("channel") or ""),
        "ts": str(event.get("ts") or ""),
        "thread_ts": event.get("thread_ts"),
        "text": text.strip()[:_MAX_TEXT],
    }


def _kind(event: dict[str, Any]) -> str | None:
    if event.get("type") == "app_mention":
        return "mention"
    if event.get("type") == "message" and event.get("channel_type") == "im":
        return "dm" if event.get("subtype") in _PERSON_SUBTYPES else None
    return None


def thread_key(task: dict[str, Any]) -> str:
    team, channel, user = task["team"], task["channel"], task["user"]
    if task["kind"] == "dm" or channel.startswith("D"):
        thread = task.get("thread_ts")
        return f"slack:{team}:{channel}" + (f":{thread}" if thread else "")
    return f"slack:{team}:{channel}:{task.get('thread_ts') or task['ts']}:{user}"


def reply_thread(task: dict[str, Any]) -> str | None:
    """The ``thread_ts`` to answer in: a mention is answered in its thread, a DM where it was written."""
    if task["kind"] == "mention":
        return str(task.get("thread_ts") or task["ts"])
    thread = task.get("thread_ts")
    return str(thread) if thread else None


def action_task(body: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    user = body.get("user") or {}
    return {
        "kind": "dm" if channel.startswith("D") else "mention",
        "team": str(user.get("team_id") or (body.get("team") or {}).get("id") or ""),
        "user": str(user.get("id") or ""),
        "channel": channel,
        "ts": str(container.get("message_ts") or ""),
        "is_ephemeral": bool(container.get("is_ephemeral")),
        "value": str(action.get("value") or ""),
        "label": str((action.get("text") or {}).get("text") or ""),
        "block_id": str(action.get("block_id") or ""),
        "response_url": body.get("response_url"),
        "text": "",
    }


def command_task(command: dict[str, Any], name: str, argument: str) -> dict[str, Any]:
    return {
        "name": name,
        "argument": argument[:200],
        "team": str(command.get("team_id") or ""),
        "user": str(command.get("user_id") or ""),
        "channel": str(command.get("channel_id") or ""),
        "response_url": command.get("response_url"),
    }


def request_key(kind: str, *parts: dict[str, Any]) -> str:
    """The id of one slash command or button press: a digest of its payload, which holds Slack's
    ``trigger_id`` (one per invocation), so the same signed request sent again has the same id."""
    canonical = json.dumps(parts, sort_keys=True, default=str).encode("utf-8", "replace")
    return f"{kind}:{hashlib.sha256(canonical).hexdigest()}"
