"""Sending a reply to a WhatsApp number inside or outside the 24-hour customer-service window.

Inside the window (the person wrote to us less than 24 hours ago) any message may be sent. Outside it,
WhatsApp accepts only pre-approved templates: the reply goes out as the template configured for its purpose
(``LAYER8_WHATSAPP_TEMPLATES``, e.g. ``{"digest": "layer8_digest", "default": "layer8_update"}``, each with
one body variable), or is not sent at all (:class:`OutsideWindow`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from assistant.messages import OutboundReply
from assistant.settings import Settings
from channels import texts
from channels.whatsapp import render
from channels.whatsapp.graph import GraphClient
from network.errors import Layer8Error
from network.ids import utcnow

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
            return self.graph.send(to, render.message(reply))
        name = self.templates.get(purpose) or self.templates.get("default")
        if not name:
            raise OutsideWindow(texts.TEMPLATE_MISSING.format(purpose=purpose))
        return self.graph.send(to, render.template(name, self.language, reply.text))
