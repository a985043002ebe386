"""Signed webhook requests as Slack and Meta send them, for the load the benchmarks generate: each is
(path, raw body, headers), signed over the exact bytes sent."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

Request = tuple[str, bytes, dict[str, str]]


def slack_message(secret: str, *, team: str, app: str, user: str, event_id: str, text: str) -> Request:
    """A direct message to the bot (an ``event_callback`` of type ``message`` in the user's DM channel)."""
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": f"D{user}",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "team": team,
    }
    body = {
        "token": "x",
        "team_id": team,
        "api_app_id": app,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": event,
    }
    raw = json.dumps(body).encode()
    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={mac}",
    }
    return "/slack/events", raw, headers


def whatsapp_message(
    secret: str, *, phone_id: str, sender: str, message_id: str, text: str, name: str
) -> Request:
    """A text message from ``sender`` (digits, no plus) to the business number ``phone_id``."""
    message = {
        "from": sender,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550000000", "phone_number_id": phone_id},
        "contacts": [{"profile": {"name": name}, "wa_id": sender}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
    }
    raw = json.dumps(body).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return "/webhooks/whatsapp", raw, {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
