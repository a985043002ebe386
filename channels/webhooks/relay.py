"""The webhook relay: posts due deliveries from the outbox, signed per the Standard Webhooks specification.

Each request carries ``webhook-id`` (the message id: the same on every retry and replay, so a receiver
de-duplicates on it), ``webhook-timestamp`` (when this attempt was signed, so a receiver's five-minute
window holds even for a retry days later) and ``webhook-signature`` (``v1,<base64 HMAC-SHA256>`` computed by
the ``standardwebhooks`` package). A 2xx is success; anything else, a timeout or a dropped connection is
retried with back-off (:mod:`network.webhooks.deliveries`).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from standardwebhooks.webhooks import Webhook

from network.db import Database
from network.ids import utcnow
from network.webhooks import deliveries
from network.webhooks.deliveries import Claimed, Outcome, WebhookPolicy

logger = logging.getLogger(__name__)
USER_AGENT = "Layer8-Webhooks/1"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass
class WebhookReport:
    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.dead)


def signed_request(claimed: Claimed, signed_at: datetime) -> tuple[bytes, dict[str, str]]:
    """The exact body bytes and the Standard Webhooks headers for one attempt."""
    body = json.dumps(claimed.body, separators=(",", ":"), ensure_ascii=False).encode()
    signature = Webhook(claimed.secret).sign(claimed.message_id, signed_at, body)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": claimed.message_id,
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


class WebhookRelay:
    def __init__(
        self,
        db: Database,
        client: httpx.Client,
        *,
        policy: WebhookPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._client = client
        self.policy = policy or WebhookPolicy()
        self._clock = clock
        self._rng = rng or random.Random()

    def run_once(self) -> WebhookReport:
        """One attempt for every delivery due now and first in line for its endpoint and resource."""
        report = WebhookReport()
        due = deliveries.next_due(self._db)
        if due is None or due > self._clock():
            return report
        for claimed in deliveries.claim(self._db, self._clock(), self.policy):
            outcome = self._post(claimed)
            result = deliveries.record(self._db, claimed, outcome, self._clock(), self.policy, self._rng)
            {"sent": report.sent, "retry": report.retried, "dead": report.dead}.get(result, []).append(
                claimed.delivery_id
            )
        return report

    def close(self) -> None:
        self._client.close()

    def _post(self, claimed: Claimed) -> Outcome:
        body, headers = signed_request(claimed, utcnow())  # wall-clock time: receivers check it
        started = time.monotonic()
        try:
            response = self._client.post(claimed.url, content=body, headers=headers)
            status, error = response.status_code, None
        except httpx.TimeoutException:
            status, error = None, "timeout"
        except httpx.HTTPError as exc:
            status, error = None, f"connection error: {type(exc).__name__}"
        elapsed = int((time.monotonic() - started) * 1000)
        if status is None or not 200 <= status < 300:
            logger.warning(
                "webhook %s to endpoint %s failed: %s",
                claimed.message_id,
                claimed.endpoint_id,
                status or error,
            )
        return Outcome(status, error, elapsed)


def client(timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
    """The HTTP client of the relay: no redirects followed (a moved endpoint is a failure to fix)."""
    return httpx.Client(timeout=timeout, follow_redirects=False)
