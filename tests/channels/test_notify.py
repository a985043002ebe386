"""Unprompted messages: an introduction request reaches the target on their last channel with Accept /
Decline buttons; WhatsApp outside the 24-hour window gets only a configured template, or nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from assistant.messages import OutboundReply
from channels import notify
from network.actor import Actor
from network.db import Database
from network.ids import utcnow
from network.models import ChannelIdentity
from network.services import consent, introductions
from network.services.handoffs import Handoffs
from tests.channels.conftest import Harness, open_harness
from tests.channels.fakes import wait_until


def request_intro(h: Harness, requester: str, target: str) -> str:
    with h.db.transaction(Actor.admin("test")) as session:
        consent.set_consent(session, target, "contactable", True, channel="test")
        return introductions.request(session, requester, target).id


def test_the_target_of_a_request_is_asked_in_a_slack_dm_and_can_accept(harness: Harness) -> None:
    requester = harness.subscriber("Leeds Bakery")
    target = harness.link("slack", "T111:W555", name="Pennine Mills")
    intro_id = request_intro(harness, requester, target)
    post = wait_until(lambda: harness.slack.posts())[0]
    assert post.params["channel"] == "DNEWW555"
    assert "Leeds Bakery would like to be introduced" in post.params["text"]
    actions = next(b for b in post.params["blocks"] if b["type"] == "actions")
    assert [e["value"] for e in actions["elements"]] == [
        f"accept_intro:{intro_id}",
        f"decline_intro:{intro_id}",
    ]


def test_a_whatsapp_target_inside_the_window_gets_reply_buttons(harness: Harness) -> None:
    requester = harness.subscriber("Leeds Bakery")
    target = harness.link("whatsapp", "+447700900555", name="Pennine Mills")
    with harness.db.transaction() as session:
        session.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - timedelta(hours=2)))
    intro_id = request_intro(harness, requester, target)
    sent = wait_until(lambda: harness.graph.sent())[0].params
    assert sent["to"] == "447700900555" and sent["interactive"]["type"] == "button"
    assert sent["interactive"]["action"]["buttons"][0]["reply"]["id"] == f"accept_intro:{intro_id}"


def test_outside_the_window_without_a_template_nothing_is_sent(harness: Harness) -> None:
    requester = harness.subscriber("Leeds Bakery")
    target = harness.link("whatsapp", "+447700900555", name="Pennine Mills")  # never wrote to us
    request_intro(harness, requester, target)
    harness.drain()
    assert harness.graph.sent() == []


def test_outside_the_window_the_configured_template_is_sent(sqlite_db: Database, tmp_path: Path) -> None:
    with open_harness(sqlite_db, tmp_path, whatsapp_templates={"introduction": "layer8_intro"}) as h:
        requester = h.subscriber("Leeds Bakery")
        target = h.link("whatsapp", "+447700900555", name="Pennine Mills")
        request_intro(h, requester, target)
        sent = wait_until(lambda: h.graph.sent())[0].params
        assert sent["type"] == "template" and sent["template"]["name"] == "layer8_intro"
        assert "Leeds Bakery" in sent["template"]["components"][0]["parameters"][0]["text"]


def handed_off(h: Harness, subscriber_id: str, channel: str, thread_key: str) -> str:
    from network.conversations import open_conversation

    with h.db.transaction(Actor.admin("test")) as session:
        conversation = open_conversation(session, channel, thread_key, subscriber_id)
        conversation.mode = "handed_off"
        return conversation.id


def test_an_agent_reply_reaches_the_slack_dm_or_thread_it_was_handed_off_from(harness: Harness) -> None:
    me = harness.link("slack", "T111:W555", name="Pennine Mills")
    in_thread = handed_off(harness, me, "slack", "slack:T111:C777:1700000000.000100:W555")
    Handoffs(harness.db, "agent.alice").reply(in_thread, "Hello, Alice from support here.")
    post = wait_until(lambda: harness.slack.posts())[0].params
    assert post["channel"] == "C777" and post["thread_ts"] == "1700000000.000100"
    assert post["text"] == "Support team: Hello, Alice from support here."
    in_dm = handed_off(harness, me, "slack", "slack:T111:DNEWW555")
    Handoffs(harness.db, "agent.alice").reply(in_dm, "And here.")
    post = wait_until(lambda: harness.slack.posts()[1:])[0].params
    assert post["channel"] == "DNEWW555" and "thread_ts" not in post


def test_an_agent_reply_reaches_a_whatsapp_chat_inside_the_window(harness: Harness) -> None:
    me = harness.link("whatsapp", "+447700900555", name="Pennine Mills")
    with harness.db.transaction() as session:
        session.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - timedelta(hours=1)))
    conversation = handed_off(harness, me, "whatsapp", "whatsapp:+447700900555")
    Handoffs(harness.db, "agent.alice").reply(conversation, "Your bill is fixed.")
    sent = wait_until(lambda: harness.graph.sent())[0].params
    assert sent["to"] == "447700900555" and "Your bill is fixed." in json.dumps(sent)


def test_an_agent_reply_in_web_chat_is_stored_and_pushed_nowhere(harness: Harness) -> None:
    me = harness.link("web", "web-only", name="Pennine Mills")
    conversation = handed_off(harness, me, "web", f"web:{me}:main")
    Handoffs(harness.db, "agent.alice").reply(conversation, "Hello from support.")
    harness.drain()
    assert harness.slack.posts() == [] and harness.graph.sent() == []


def test_a_subscriber_without_a_push_channel_is_unreachable(harness: Harness) -> None:
    target = harness.link("web", "web-only", name="Pennine Mills")
    with pytest.raises(notify.Unreachable):
        notify.send(harness.runtime, target, OutboundReply("hello"))
