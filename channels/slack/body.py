"""Can bolt read this body? The same decisions as ``slack_bolt.request.internals.parse_body``, made first.

bolt decodes the body as UTF-8 and parses it while it builds its request, outside its own error handling:
a signed body that is not UTF-8, a JSON body that does not parse (or is not an object), or a form whose
``payload`` field is not a JSON object became a 500 (slack-bolt 1.30), and Slack retried it. Such a body is
found here, kept as an ``unusable`` event and acknowledged instead.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

JSON = "application/json"


def unusable(raw: bytes, content_type: str | None) -> str | None:
    """Why bolt could not read ``raw`` (None when it can)."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if not body:
        return None
    if content_type == JSON or body.startswith("{"):
        return _object(body, "the body")
    if "payload" in body:  # bolt's own test: a form with an interactivity payload
        payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
        return None if payload is None else _object(payload, "the form's payload")
    return None


def _object(text: str, what: str) -> str | None:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return f"{what} is not JSON"
    return None if isinstance(parsed, dict) else f"{what} is not a JSON object"
