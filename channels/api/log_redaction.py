"""No secret or token in any log line: the access log's query strings and any bearer or Layer8 token.

Meta's webhook verification (``GET /whatsapp/webhook?hub.verify_token=…``) carries the verify token in
the query string, which uvicorn's access log writes out whole. :class:`RedactSecrets` rewrites a record's
message before any handler sees it; it is attached to uvicorn's loggers by :func:`install`.
"""

from __future__ import annotations

import logging
import re

MASK = "[redacted]"
# query parameters whose values are secrets (hub.verify_token, access_token, code, signature, …)
_PARAM = re.compile(
    r"(?i)([?&][^=&\s\"]*(?:token|secret|signature|password|passwd|api[_-]?key|code|challenge)[^=&\s\"]*=)"
    r"[^&\s\"]*"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_LAYER8_TOKEN = re.compile(r"\bl8_[A-Za-z0-9_-]{8,}")
LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact(text: str) -> str:
    text = _PARAM.sub(rf"\1{MASK}", text)
    text = _BEARER.sub(rf"\1{MASK}", text)
    return _LAYER8_TOKEN.sub(MASK, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is left to the handler's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def install() -> None:
    """Attach the filter to uvicorn's loggers (once, however many apps are created)."""
    for name in LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())
