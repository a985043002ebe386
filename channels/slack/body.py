"""Can bolt read this body? The same decisions as ``slack_bolt.request.internals.parse_body``, made first.

bolt decodes the body as UTF-8 and parses it while it builds its request, outside its own error handling:
a signed body that is not UTF-8, a JSON body that does not parse (or is not an object), or a form whose
``payload`` field is not a JSON object became a 500 (slack-bolt 1.30), and Slack retried it. Such a body is
found here (:class:`Unusable`), kept as an ``unusable`` event and acknowledged instead. :func:`sender` names
who sent a readable body, for the per-sender rate limit.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

JSON = "application/json"


class Unusable(ValueError):
    """Why bolt could not read a body."""


def read(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The payload as bolt will see it, or :class:`Unusable` when bolt could not read ``raw``."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unusable("the body is not UTF-8") from exc
    if not body:
        return {}
    if content_type == JSON or body.startswith("{"):
        return _object(body, "the body")
    form = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in body:  # bolt's own test: a form with an interactivity payload
        payload = form.get("payload")
        return {} if payload is None else _object(payload, "the form's payload")
    return form


def sender(payload: dict[str, Any]) -> str | None:
    """``team:user`` of an event, an interaction or a slash command, when the payload names one."""
    event, user, team = _get(payload, "event"), _get(payload, "user"), _get(payload, "team")
    who = payload.get("user_id") or _get(event, "user") or _get(user, "id") or user
    where = payload.get("team_id") or _get(team, "id") or _get(user, "team_id") or _get(event, "team")
    return f"{where}:{who}" if isinstance(who, str) and who and isinstance(where, str | None) else None


def _get(value: object, key: str) -> object:
    return value.get(key) if isinstance(value, dict) else None


def _object(text: str, what: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Unusable(f"{what} is not JSON") from exc
    if not isinstance(parsed, dict):
        raise Unusable(f"{what} is not a JSON object")
    return parsed
