"""``X-Hub-Signature-256``: HMAC-SHA256 of the *raw* request bytes with the app secret, hex, ``sha256=``.

Meta signs the bytes it sent (unicode escaped as ``\\uXXXX``); re-serialised JSON would not verify, so the
check runs on ``await request.body()`` before any parsing. Digests are compared as bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from network.errors import PermissionDenied, Unauthenticated

_HEADER = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


class MissingSignature(Unauthenticated):
    code = "missing_signature"


class BadSignature(PermissionDenied):
    code = "bad_signature"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(header: str | None, body: bytes, secret: bytes) -> None:
    """401 (:class:`MissingSignature`) when absent or malformed, 403 (:class:`BadSignature`) when wrong."""
    match = _HEADER.match((header or "").strip())
    if match is None:
        raise MissingSignature("missing or malformed X-Hub-Signature-256")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")
    if not hmac.compare_digest(expected, match.group(1).lower().encode("ascii")):
        raise BadSignature("X-Hub-Signature-256 does not match the body")
