"""Building the webhook relay: the outbox's webhook deliveries, signed and posted over HTTP."""

from __future__ import annotations

import httpx

from channels.webhooks.relay import TIMEOUT, WebhookRelay, client
from network.db import Database
from network.webhooks.deliveries import WebhookPolicy


def relay(
    db: Database, *, policy: WebhookPolicy | None = None, timeout: httpx.Timeout = TIMEOUT
) -> WebhookRelay:
    return WebhookRelay(db, client(timeout), policy=policy)
