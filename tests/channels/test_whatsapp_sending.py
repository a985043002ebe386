"""Sending through the Graph API (httpx MockTransport: the client is ours): backoff on rate limits, the
24-hour window with templates only outside it, and how replies become WhatsApp messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from assistant.messages import Action, Button, ListItem, OutboundReply
from channels.whatsapp import render
from channels.whatsapp.graph import GraphClient, GraphError
from channels.whatsapp.sender import OutsideWindow, WhatsAppSender

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Script:
    """Answers in order; records what was sent and how long the client slept."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.slept: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self, **kwargs: Any) -> GraphClient:
        return GraphClient(
            "http://graph.test/v21.0",
            "PHONE1",
            "token-1",
            transport=httpx.MockTransport(self),
            sleep=self.slept.append,
            **kwargs,
        )


def ok(wamid: str = "wamid.ok") -> httpx.Response:
    return httpx.Response(200, json={"messages": [{"id": wamid}]})


def error(status: int, code: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "x"}}, headers=headers)


def test_a_message_is_posted_to_the_phone_numbers_endpoint() -> None:
    script = Script(ok())
    assert script.client().send("447700900123", render.text("hi")) == "wamid.ok"
    request = script.requests[0]
    assert str(request.url) == "http://graph.test/v21.0/PHONE1/messages"
    assert request.headers["authorization"] == "Bearer token-1"
    assert json.loads(request.content) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "447700900123",
        "type": "text",
        "text": {"body": "hi", "preview_url": False},
    }


def test_rate_limits_back_off_and_retry() -> None:
    script = Script(error(429, 130429), error(400, 131056), error(503, 1), ok())
    assert script.client().send("1", render.text("hi")) == "wamid.ok"
    assert script.slept == [0.5, 1.0, 2.0]


def test_retry_after_is_honoured_and_capped() -> None:
    script = Script(error(429, 4, {"Retry-After": "3"}), error(429, 4, {"Retry-After": "9999"}), ok())
    script.client().send("1", render.text("hi"))
    assert script.slept == [3.0, 30.0]


def test_it_gives_up_after_the_last_attempt() -> None:
    script = Script(*[error(400, 130429)] * 4)
    with pytest.raises(GraphError) as raised:
        script.client().send("1", render.text("hi"))
    assert raised.value.details["graph_code"] == 130429
    assert len(script.requests) == 4


def test_transport_errors_are_retried_then_reported() -> None:
    script = Script(httpx.ConnectTimeout("slow"), ok())
    assert script.client().send("1", render.text("hi")) == "wamid.ok"
    script = Script(*[httpx.ConnectError("down")] * 4)
    with pytest.raises(GraphError):
        script.client().send("1", render.text("hi"))


def test_other_errors_are_not_retried() -> None:
    script = Script(error(400, 131026))  # message undeliverable
    with pytest.raises(GraphError) as raised:
        script.client().send("1", render.text("hi"))
    assert raised.value.details["graph_code"] == 131026 and len(script.requests) == 1


def sender(script: Script, templates: dict[str, str] | None = None) -> WhatsAppSender:
    return WhatsAppSender(script.client(), templates or {}, "en_GB", clock=lambda: NOW)


def test_inside_the_window_the_reply_itself_is_sent() -> None:
    script = Script(ok())
    sender(script).send("1", OutboundReply("hello"), last_inbound_at=NOW - timedelta(hours=23, minutes=59))
    assert json.loads(script.requests[0].content)["type"] == "text"


def test_outside_the_window_only_a_configured_template_is_sent() -> None:
    script = Script(ok())
    reply = OutboundReply("Three new businesses\nwant to meet you")
    sender(script, {"digest": "layer8_digest"}).send(
        "1", reply, last_inbound_at=NOW - timedelta(hours=24), purpose="digest"
    )
    sent = json.loads(script.requests[0].content)
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "layer8_digest" and sent["template"]["language"] == {"code": "en_GB"}
    assert (
        sent["template"]["components"][0]["parameters"][0]["text"] == "Three new businesses want to meet you"
    )


def test_outside_the_window_without_a_template_nothing_is_sent() -> None:
    script = Script()
    with pytest.raises(OutsideWindow):
        sender(script).send("1", OutboundReply("hello"), last_inbound_at=None)
    assert script.requests == []


def test_the_default_template_covers_other_purposes() -> None:
    script = Script(ok())
    sender(script, {"default": "layer8_update"}).send(
        "1", OutboundReply("x"), last_inbound_at=None, purpose="intro"
    )
    assert json.loads(script.requests[0].content)["template"]["name"] == "layer8_update"


def confirm_buttons(n: int) -> list[Button]:
    return [Button(f"Option number {i} with a long label", Action("confirm", f"act_{i}")) for i in range(n)]


def test_up_to_three_buttons_are_reply_buttons_with_short_titles() -> None:
    message = render.message(OutboundReply("Please confirm", confirm_buttons(3)))
    buttons = message["interactive"]["action"]["buttons"]
    assert message["interactive"]["type"] == "button" and len(buttons) == 3
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    assert buttons[0]["reply"]["id"] == "confirm:act_0"


def test_more_buttons_or_items_become_a_list_and_too_many_become_numbered_text() -> None:
    assert render.message(OutboundReply("Pick", confirm_buttons(4)))["interactive"]["type"] == "list"
    items = [ListItem(f"s{i}", f"Business {i}", "a reason that is rather long " * 5) for i in range(3)]
    rows = render.message(OutboundReply("Pick", items=items))["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["n:1", "n:2", "n:3"] and all(len(r["description"]) <= 72 for r in rows)
    many = OutboundReply("Pick", items=[ListItem(str(i), f"B{i}") for i in range(11)])
    text = render.message(many)
    assert text["type"] == "text" and "11. B10" in text["text"]["body"]
    assert "Reply with the number" in text["text"]["body"]
