"""Sending through the WhatsApp Cloud API (``POST {graph}/{phone-number-id}/messages``, files through
``…/media``) with httpx.

Bounded timeouts; rate limits (HTTP 429, Graph error 130429 "throughput", 131056 "pair rate", 4 and 80007
"app/account limits") and 5xx are retried with exponential backoff that honours ``Retry-After``; other errors
raise :class:`~network.errors.ExternalServiceError` with the Graph code. Phone numbers never reach the logs.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from assistant.settings import Settings
from network.errors import ExternalServiceError

logger = logging.getLogger(__name__)

RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})
TIMEOUT = httpx.Timeout(10.0, connect=3.0)
MAX_BACKOFF_S = 30.0


class GraphError(ExternalServiceError):
    code = "whatsapp_send_failed"


class GraphClient:
    def __init__(
        self,
        base_url: str,
        phone_number_id: str | None,
        token: str | None,
        *,
        transport: httpx.BaseTransport | None = None,
        max_attempts: int = 4,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=TIMEOUT, transport=transport
        )
        self.phone_number_id = phone_number_id
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphClient:
        token = settings.whatsapp_access_token
        return cls(
            settings.whatsapp_graph_url,
            settings.whatsapp_phone_number_id,
            token.get_secret_value() if token else None,
        )

    def send(self, to: str, message: dict[str, Any]) -> str | None:
        """Send one message (``{"type": ..., ...}``) to ``to`` (digits); returns its ``wamid``."""
        if not self.phone_number_id:
            raise GraphError("LAYER8_WHATSAPP_PHONE_NUMBER_ID is not set")
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        for attempt in range(1, self._max_attempts + 1):
            wait = self._try(body, attempt)
            if isinstance(wait, str) or wait is None:
                return wait
            self._sleep(wait)
        raise GraphError("WhatsApp kept refusing the message (rate limited)", graph_code=130429)

    def upload(self, filename: str, media_type: str, content: bytes) -> str:
        """Upload a file (``POST {graph}/{phone-number-id}/media``, multipart); returns the media id that a
        document message then names. Not retried: the caller falls back to a link."""
        if not self.phone_number_id:
            raise GraphError("LAYER8_WHATSAPP_PHONE_NUMBER_ID is not set")
        try:
            response = self._http.post(
                f"/{self.phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": media_type},
                files={"file": (filename, content, media_type)},
            )
        except httpx.TransportError as exc:
            raise GraphError(f"WhatsApp is unreachable: {type(exc).__name__}") from exc
        media_id = response.json().get("id") if not response.is_error else None
        if not media_id:
            raise GraphError(
                "WhatsApp refused the file", graph_code=_graph_code(response), http=response.status_code
            )
        return str(media_id)

    def _try(self, body: dict[str, Any], attempt: int) -> str | float | None:
        """The wamid on success, or how long to wait before the next attempt."""
        last = attempt >= self._max_attempts
        try:
            response = self._http.post(f"/{self.phone_number_id}/messages", json=body)
        except httpx.TransportError as exc:
            if last:
                raise GraphError(f"WhatsApp is unreachable: {type(exc).__name__}") from exc
            return self._backoff(attempt, None)
        code = _graph_code(response)
        if response.status_code == 429 or code in RATE_LIMIT_CODES or response.status_code >= 500:
            logger.warning("WhatsApp send throttled or failed (HTTP %s, code %s)", response.status_code, code)
            if last:
                raise GraphError(
                    "WhatsApp kept refusing the message", graph_code=code, http=response.status_code
                )
            return self._backoff(attempt, response.headers.get("retry-after"))
        if response.is_error:
            raise GraphError("WhatsApp refused the message", graph_code=code, http=response.status_code)
        messages = response.json().get("messages") or [{}]
        wamid = messages[0].get("id")
        return str(wamid) if wamid else None

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        try:
            if retry_after is not None:
                return min(MAX_BACKOFF_S, max(0.0, float(retry_after)))
        except ValueError:
            pass
        return float(min(MAX_BACKOFF_S, self._backoff_s * 2 ** (attempt - 1)))

    def close(self) -> None:
        self._http.close()


def _graph_code(response: httpx.Response) -> int | None:
    if not response.is_error:
        return None
    try:
        code = (response.json().get("error") or {}).get("code")
        return int(code) if code is not None else None
    except (ValueError, TypeError, AttributeError):
        return None
