"""``POST /v1/chat/session/code {"phone"}``: a web chat sign-in code sent to the chat (WhatsApp or Slack)
already linked to the business with that number — the way in that needs nobody's help.

The answer is the same whether or not a code was sent, so the form tells nobody which numbers are customers;
a business with three unused codes gets no fourth. Every request counts against the client address
(``LAYER8_RATE_LIMIT_SIGN_IN_IP``) and against the number asked for (``LAYER8_RATE_LIMIT_SIGN_IN_ACCOUNT``,
customer or not), 429 with ``Retry-After`` past either. The code goes out with :mod:`channels.notify` on
the chat the subscriber used last (``layer8 signin code --send`` uses the same path).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from assistant.messages import OutboundReply
from channels import notify, texts
from channels.api.deps import SettingsDep
from channels.api.rate_limits import RateLimitsDep, client_address
from channels.ports import Parts
from channels.runtime import ChannelRuntime, RuntimeDep
from channels.web.auth import check_origin
from network import sign_in
from network.actor import Actor
from network.errors import Layer8Error
from network.sign_in import IssuedSignIn

logger = logging.getLogger(__name__)
_PHONE = re.compile(r"^\+?[0-9 ()./-]{7,24}$")


class PhoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(min_length=7, max_length=24)


class CodeRequested(BaseModel):
    detail: str


router = APIRouter(prefix="/v1/chat/session", tags=["chat"])


@router.post(
    "/code", status_code=202, response_model=CodeRequested, summary="Send a sign-in code to a linked chat"
)
async def request_code(
    body: PhoneIn,
    request: Request,
    tasks: BackgroundTasks,
    runtime: RuntimeDep,
    settings: SettingsDep,
    limits: RateLimitsDep,
) -> CodeRequested:
    check_origin(request)
    await limits.ahit("sign_in_ip", client_address(request))  # each request is a sign-in attempt
    number = sign_in.international(body.phone) if _PHONE.match(body.phone.strip()) else None
    minutes = settings.sign_in_code_minutes
    if number is not None:
        # per number, customer or not: a 429 here says nothing about who is a customer
        await limits.ahit("sign_in_account", f"phone:{number}")
        tasks.add_task(run_in_threadpool, send_code, runtime, body.phone, minutes)
    return CodeRequested(detail=texts.SIGN_IN_CODE_SENT.format(minutes=minutes))


def send_code(runtime: ChannelRuntime, phone: str, minutes: int) -> str | None:
    """Issue a code for the business with this number and send it over its linked chat; the channel used."""
    with runtime.db.transaction(Actor.system("web-sign-in")) as session:
        found = sign_in.reachable_by_phone(session, phone)
        if found is None:
            return None
        subscriber_id, channel = found
        if sign_in.open_codes(session, subscriber_id) >= sign_in.MAX_OPEN_PER_SUBSCRIBER:
            logger.info("sign-in code refused: too many open codes")
            return None
        issued = sign_in.issue_for_subscriber(
            session, subscriber_id, issued_by="web", sent_via=channel, ttl=timedelta(minutes=minutes)
        )
    return deliver_code(runtime, issued, minutes)


def deliver_code(runtime: ChannelRuntime, issued: IssuedSignIn, minutes: int) -> str | None:
    """Send a subscriber's code to their newest linked chat; the channel used, or None (logged)."""
    assert issued.subscriber_id is not None
    text = texts.SIGN_IN_CODE.format(code=issued.code, minutes=minutes)
    try:
        return notify.send(
            runtime, issued.subscriber_id, OutboundReply(text, private=True), purpose="sign_in"
        )
    except Layer8Error as exc:
        logger.warning("sign-in code not delivered: %s", exc.code)
        return None


def install(app: FastAPI, container: Parts) -> None:
    app.include_router(router)
