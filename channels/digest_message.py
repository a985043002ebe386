"""A digest as a message, the same on every channel: the header, one line per item, the footer, and buttons
to answer the first introduction waiting (else the first event invitation). Slack and WhatsApp send it
(:mod:`channels.digest_sender`); the web chat shows it as a card (:mod:`channels.web.digest`)."""

from __future__ import annotations

from assistant import replies
from assistant.messages import OutboundReply
from channels import texts
from network import digest


def message(decision: digest.Decision) -> OutboundReply:
    lines = [texts.DIGEST_HEADER, *(f"• {item.text}" for item in decision.items), texts.DIGEST_FOOTER]
    reply = OutboundReply("\n".join(lines))
    kinds = {item.kind: item for item in reversed(decision.items)}  # the first of each kind
    if "introduction_waiting" in kinds:
        reply.buttons = replies.intro_buttons(kinds["introduction_waiting"].id)
    elif "event" in kinds:
        reply.buttons = replies.rsvp_buttons(kinds["event"].id)
    return reply
