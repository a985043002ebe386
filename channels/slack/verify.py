"""Slack request signatures (v0), checked before bolt sees the request.

slack-sdk 3.48 turns a non-numeric ``X-Slack-Request-Timestamp`` into a ``ValueError`` and bolt then answers
500 (seen with slack-sdk 3.48 and slack-bolt 1.30), so the timestamp is validated here first: missing,
non-numeric or more than 300 s away from now is 401, and so is a bad signature. Digests are compared as bytes
(``hmac.compare_digest`` refuses non-ASCII ``str``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from network.errors import Unauthenticated

MAX_SKEW_S = 300  # Slack's replay window: 300 s passes, 301 s fails


class BadSlackRequest(Unauthenticated):
    code = "bad_slack_signature"


def verify(headers: Mapping[str, str], body: bytes, secret: bytes, now: float) -> None:
    """Raise :class:`BadSlackRequest` unless the request was signed by Slack in the last five minutes."""
    timestamp = (headers.get("x-slack-request-timestamp") or "").strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise BadSlackRequest("missing or malformed request timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_S:
        raise BadSlackRequest("request timestamp outside the replay window")
    signature = (headers.get("x-slack-signature") or "").strip()
    if not signature.startswith("v0="):
        raise BadSlackRequest("missing or malformed signature")
    expected = "v0=" + sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        raise BadSlackRequest("signature mismatch")


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` (without the ``v0=`` prefix)."""
    return hmac.new(secret, b"v0:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256).hexdigest()
