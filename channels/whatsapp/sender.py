"""Sending a reply to a WhatsApp number inside or outside the 24-hour customer-service window.

Inside the window (the person wrote to us less than 24 hours ago) any message may be sent. Outside it,
WhatsApp accepts only pre-approved templates: the reply goes out as the template configured for its purpose
(``LAYER8_WHATSAPP_TEMPLATES``, e.g. ``{"digest": "layer8_digest", "default": "layer8_update"}``, each with
one body variable), or is not sent at all (:class:`OutsideWindow`). A reply's file (an event's calendar file)
goes inside the window as a document message after the reply (uploaded to ``/media`` first); a template,
or a refused upload, carries the file's link in the text instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.messages import Attachment, OutboundReply
from assistant.settings import Settings
from channels import texts
from channels.whatsapp import render
from channels.whatsapp.graph import GraphClient, GraphError
from network.errors import Layer8Error
from network.ids import utcnow

logger = logging.getLogger(__name__)
WINDOW = timedelta(hours=24)


class OutsideWindow(Layer8Error):
    code = "outside_whatsapp_window"
    status = 409


@dataclass
class WhatsAppSender:
    graph: GraphClient
    templates: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppSender:
        graph = GraphClient.from_settings(settings)
        return cls(graph, dict(settings.whatsapp_templates), settings.whatsapp_template_language)

    def close(self) -> None:
        self.graph.close()

    def send(
        self, to: str, reply: OutboundReply, *, last_inbound_at: datetime | None, purpose: str = "default"
    ) -> str | None:
        """Send ``reply`` to ``to`` (wa_id digits); returns the ``wamid``."""
        if last_inbound_at is not None and self.clock() - last_inbound_at < WINDOW:
            return self._inside(to, reply)
        name = self.templates.get(purpose) or self.templates.get("default")
        if not name:
            raise OutsideWindow(texts.TEMPLATE_MISSING.format(purpose=purpose))
        body = reply.without_attachment().text  # a template carries text only: the file's link
        return self.graph.send(to, render.template(name, self.language, body))

    def _inside(self, to: str, reply: OutboundReply) -> str | None:
        """The reply, then its file as a document message; the file's link instead when it cannot go."""
        media = self._upload(reply.attachment) if reply.attachment else None
        wamid = self.graph.send(to, render.message(reply if media else reply.without_attachment()))
        if media and reply.attachment:
            try:
                self.graph.send(to, render.document(media, reply.attachment.filename))
            except GraphError as exc:
                logger.warning("WhatsApp document not sent (%s): the link instead", exc.details)
                self.graph.send(to, render.text(reply.attachment.fallback))
        return wamid

    def _upload(self, attachment: Attachment) -> str | None:
        try:
            return self.graph.upload(attachment.filename, _document_type(attachment), attachment.content)
        except GraphError as exc:
            logger.warning("WhatsApp file upload refused (%s): the link instead", exc.details)
            return None


def _document_type(attachment: Attachment) -> str:
    """WhatsApp's document types list no ``text/calendar``: a calendar file goes as ``text/plain`` and its
    ``.ics`` name tells the phone what it is."""
    return "text/plain" if attachment.media_type.startswith("text/calendar") else attachment.media_type
