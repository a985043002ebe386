"""``GET /webhooks/whatsapp`` (subscription check) and ``POST /webhooks/whatsapp`` (messages).

POST: the ``X-Hub-Signature-256`` over the raw bytes first (401 missing or malformed, 403 wrong), then each
message is de-duplicated by its id and queued; the answer is 200 at once. A signed body we cannot use (not
JSON, not WhatsApp's shape, fields of the wrong type) is answered 200 too and kept as an ``unusable`` event:
Meta retries anything else for days. Statuses, unsupported types and messages for another phone number are
acknowledged and not answered. A sender over ``LAYER8_RATE_LIMIT_WEBHOOK`` gets 429 (with ``Retry-After``)
for the whole body, before any of it is taken; when the turn queue is full the receipts are dropped and the
answer is 503: either way WhatsApp delivers again later.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from channels.api.rate_limits import rate_limits_of
from channels.ports import Parts
from channels.runtime import ChannelRuntime, runtime_for
from channels.whatsapp import signature
from channels.whatsapp.parse import Incoming, parse
from network import dedup, digest_engagement
from network.db import Database
from network.errors import Busy, InvalidInput, Layer8Error, PermissionDenied
from network.ids import utcnow

logger = logging.getLogger(__name__)
PATH = "/webhooks/whatsapp"
_CHALLENGE = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


class WhatsAppNotConfigured(Layer8Error):
    code = "whatsapp_not_configured"
    status = 503


def router(container: Parts) -> APIRouter:
    routes = APIRouter(tags=["whatsapp"])
    settings = container.settings

    @routes.get(PATH, include_in_schema=False)
    async def verify_subscription(
        mode: Annotated[str, Query(alias="hub.mode")] = "",
        token: Annotated[str, Query(alias="hub.verify_token")] = "",
        challenge: Annotated[str, Query(alias="hub.challenge")] = "",
    ) -> Response:
        expected = settings.whatsapp_verify_token
        if expected is None:
            raise WhatsAppNotConfigured("WhatsApp is not configured on this server")
        same = hmac.compare_digest(token.encode(), expected.get_secret_value().encode())
        if mode != "subscribe" or not same:
            raise PermissionDenied("the verify token does not match")
        if not _CHALLENGE.match(challenge):
            raise InvalidInput("hub.challenge is missing or malformed")
        return PlainTextResponse(challenge)

    @routes.post(PATH, include_in_schema=False)
    async def receive(request: Request) -> Response:
        secret = settings.whatsapp_app_secret
        if secret is None:
            raise WhatsAppNotConfigured("WhatsApp is not configured on this server")
        raw = await request.body()
        signature.verify(request.headers.get("x-hub-signature-256"), raw, secret.get_secret_value().encode())
        body = _json(raw)
        parsed = parse(body)
        if parsed.unusable:
            reason = "the body is not JSON" if body is _NOT_JSON else parsed.unusable
            await asyncio.to_thread(dedup.unusable, runtime_for(request.app).db, "whatsapp", raw, reason)
        mine = settings.whatsapp_phone_number_id
        items = [i for i in parsed.items if not mine or i.phone_number_id in (None, mine)]
        for sender in sorted({item.sender for item in items}):  # 429 before any is taken: Meta sends again
            await rate_limits_of(request).ahit("webhook", f"whatsapp:{sender}")
        if parsed.read:  # read statuses: the digests sent as these messages were opened
            await asyncio.to_thread(_opened, runtime_for(request.app).db, parsed.read)
        if items:
            await _accept(runtime_for(request.app), items, time.time())
        return JSONResponse(
            {"received": len(items), "ignored": parsed.ignored + len(parsed.items) - len(items)}
        )

    return routes


_NOT_JSON = object()


def _json(raw: bytes) -> Any:
    """The body (nesting deep enough to exhaust the parser counts as not JSON)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _opened(db: Database, wamids: list[str]) -> None:
    with db.transaction() as session:
        digest_engagement.opened(session, wamids, utcnow())


async def _accept(rt: ChannelRuntime, items: list[Incoming], received_at: float) -> None:
    for item in items:
        if not await rt.receipts.first_time("whatsapp", item.message_id, item.kind):
            continue
        name = "whatsapp.message" if item.kind == "message" else "whatsapp.reaction"
        task = {**item.task(), "received_at": received_at}
        try:
            await rt.submit(name, task, key=f"whatsapp:{item.sender}")  # one person's turns run in order
        except Busy:
            await asyncio.to_thread(dedup.forget, rt.db, "whatsapp", item.message_id)
            raise


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router(container))
