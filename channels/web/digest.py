"""``POST /v1/chat/digest``: the digest in the web chat, which has no push.

When the page opens it asks for the subscriber's digest: what is new since their last one (on any channel),
with the same rules as a pushed digest — opt-out and their frequency; no quiet hours, they are there. If
there is something, it is recorded as a digest sent on the ``web`` channel and **opened** (the page draws it
as it arrives), and the answer carries its id; a button pressed on it comes back with that id
(``POST /v1/chat`` or ``/v1/chat/stream`` with ``"digest"``) and marks it **acted on**. Otherwise 204. The
metrics count web digests beside Slack and WhatsApp ones.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from assistant.messages import InboundMessage
from channels import texts
from channels.api.problems import PROBLEM_RESPONSES
from channels.digest_message import message
from channels.runtime import RuntimeDep
from channels.web.auth import ChatSubscriberDep
from network import digest, digest_engagement
from network.db import Database
from network.ids import utcnow

router = APIRouter(prefix="/v1/chat", tags=["chat"], responses=PROBLEM_RESPONSES)
REF = r"^web:dig_[0-9a-f]{16}$"  # what a web digest's id looks like (its message_ref)


class DigestButton(BaseModel):
    label: str
    action: str
    style: str


class WebDigest(BaseModel):
    digest: str  # send it back with a button pressed on this digest
    header: str
    lines: list[str]
    footer: str
    buttons: list[DigestButton]


def open_digest(db: Database, subscriber_id: str) -> WebDigest | None:
    """Decide the subscriber's digest now; record it as shown in the web chat (opened) when there is one."""
    now = utcnow()
    with db.transaction() as session:
        decision = digest.for_web(session, subscriber_id, now)
        if decision is None:
            return None
        row = digest.record(session, decision, now)
        row.message_ref, row.opened_at = f"web:{row.id}", now
        ref = row.message_ref
    reply = message(decision)
    buttons = [DigestButton(label=b.label, action=b.action.encode(), style=b.style) for b in reply.buttons]
    lines = [item.text for item in decision.items]
    return WebDigest(
        digest=ref, header=texts.DIGEST_HEADER, lines=lines, footer=texts.DIGEST_FOOTER, buttons=buttons
    )


def acted(db: Database, msg: InboundMessage) -> None:
    """A web turn that came from a button on a digest (``msg.in_reply_to``): it was acted on."""
    if msg.in_reply_to and msg.subscriber_id:
        with db.transaction() as session:
            digest_engagement.acted(session, msg.subscriber_id, msg.in_reply_to, msg.received_at)


@router.post(
    "/digest",
    response_model=WebDigest,
    summary="The subscriber's digest, if one is due, shown in the web chat (recorded as opened)",
    responses={204: {"description": "Nothing new, not due yet, or opted out"}},
)
async def chat_digest(principal: ChatSubscriberDep, runtime: RuntimeDep) -> WebDigest | Response:
    shown = await run_in_threadpool(open_digest, runtime.db, str(principal.subscriber_id))
    return shown if shown is not None else Response(status_code=204)
