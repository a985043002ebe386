"""Slack over HTTP against the running app and a local fake Slack Web API: real payloads from bolt-python's
tests, signed like Slack signs them."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from network.models import InboundEvent, Message
from tests.channels.conftest import Harness, load
from tests.channels.fakes import BOT_USER, wait_until
from tools import phrases

PAYLOADS: dict[str, Any] = load("slack/bolt_python_scenario_payloads.json")
VECTORS = load("signature_vectors.json")


def payload(name: str, **event: Any) -> dict[str, Any]:
    body = copy.deepcopy(PAYLOADS[name])
    body.setdefault("event", {}).update(event)
    return body


def dm(text: str, event_id: str = "EvDM1", user: str = "W111", **extra: Any) -> dict[str, Any]:
    body = payload(
        "test_message::message_body", text=text, channel="D111", channel_type="im", user=user, **extra
    )
    body["event_id"] = event_id
    return body


def events(h: Harness) -> list[tuple[str, str]]:
    with h.db.read() as session:
        query = select(InboundEvent.event_id, InboundEvent.status).where(InboundEvent.channel == "slack")
        return [(event_id, status) for event_id, status in session.execute(query)]


def test_url_verification_echoes_the_challenge(harness: Harness) -> None:
    body = PAYLOADS["test_events_url_verification::event_body"]
    response = harness.slack_post(body)
    assert response.status_code == 200
    assert body["challenge"] in response.text


def test_a_direct_message_is_acknowledged_then_answered_by_the_assistant(harness: Harness) -> None:
    harness.link("slack", "T111:W111")
    response = harness.slack_post(dm("Hello World!"))
    assert response.status_code == 200
    post = wait_until(lambda: harness.slack.posts())[0]
    assert post.params["channel"] == "D111"
    assert post.params["text"] == "You said: Hello World!"
    assert harness.assistant.seen[0].thread_key == "slack:T111:D111"
    assert harness.assistant.seen[0].subscriber_id is not None
    wait_until(lambda: [e for e in events(harness) if e[1] == "answered"])


def test_retries_and_duplicates_are_answered_once(harness: Harness) -> None:
    harness.link("slack", "T111:W111")
    body = dm("only once", event_id="EvRetry")
    assert harness.slack_post(body).status_code == 200
    assert (
        harness.slack_post(
            body, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        ).status_code
        == 200
    )
    assert harness.slack_post(body, headers={"X-Slack-Retry-Num": "2"}).status_code == 200
    # a later, different message is answered: by then every copy of the first has been looked at
    harness.slack_post(dm("sentinel", event_id="EvSentinel"))
    wait_until(lambda: any(p.params["text"].endswith("sentinel") for p in harness.slack.posts()))
    harness.drain()
    texts = [p.params["text"] for p in harness.slack.posts()]
    assert texts.count("You said: only once") == 1
    assert [e for e in events(harness) if e[0] == "EvRetry"] == [("EvRetry", "answered")]


def test_bot_messages_and_our_own_are_ignored(harness: Harness) -> None:
    harness.link("slack", "T111:W111")
    other_bot = payload("test_message_bot::bot_message_event_payload", channel="D111", channel_type="im")
    classic = payload(
        "test_message_bot::classic_bot_message_event_payload", channel="D111", channel_type="im"
    )
    ours = dm("echo of our own reply", event_id="EvOurs", user=BOT_USER, bot_id="BBOT1")
    for body in (other_bot, classic, ours):
        assert harness.slack_post(body).status_code == 200
    harness.slack_post(dm("sentinel", event_id="EvSentinel2"))
    wait_until(lambda: harness.slack.posts())
    harness.drain()
    assert [m.text for m in harness.assistant.seen] == ["sentinel"]


def test_every_real_payload_is_acknowledged_without_error(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """All 44 payloads — events, actions, views, shortcuts, dialogs, workflow steps, commands — well signed:
    200 each, and no error. None of the users is linked and none of it is a DM, our button or our command,
    so the only replies are to the mentions, saying how to link."""
    caplog.set_level("WARNING")
    for name, body in sorted(PAYLOADS.items()):
        if "_raw_form_body" in body:
            response = harness.slack_post(body["_raw_form_body"].encode(), form=True)
        elif "event" in body or body.get("type") == "url_verification":
            response = harness.slack_post(body)
        else:
            response = harness.slack_post(b"payload=" + _quote(json.dumps(body)), form=True)
        assert response.status_code == 200, (name, response.text)
    wait_until(lambda: harness.slack.replies())
    time.sleep(0.2)
    harness.drain()
    assert {c.params["channel"] for c in harness.slack.replies()} == {"C111"}
    assert all(phrases.NOT_LINKED in c.params["text"] for c in harness.slack.replies())
    assert harness.assistant.seen == []
    assert [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


def test_an_unlinked_user_is_told_how_to_link_and_no_tool_runs(harness: Harness) -> None:
    harness.slack_post(dm("show my matches", event_id="EvUnlinked"))
    post = wait_until(lambda: harness.slack.replies())[0]
    assert "link code" in post.params["text"]
    assert harness.assistant.seen == []


def test_a_mention_is_answered_in_its_thread_with_the_threads_earlier_messages(harness: Harness) -> None:
    harness.link("slack", "T111:W222")
    harness.slack.threads["1595926000.000100"] = [
        {"user": "W333", "text": "Anyone know a good bookkeeper?", "ts": "1595926000.000100"},
        {"bot_id": "BBOT1", "text": "Earlier answer", "ts": "1595926100.000100"},
        {"user": "W222", "text": "<@UBOT1> Hi there!", "ts": "1595926230.009600"},
    ]
    body = payload(
        "test_app::app_mention_event_body", text=f"<@{BOT_USER}> Hi there!", thread_ts="1595926000.000100"
    )
    assert harness.slack_post(body).status_code == 200
    post = wait_until(lambda: harness.slack.posts())[0]
    assert post.params["thread_ts"] == "1595926000.000100"
    assert post.params["text"] == "You said: Hi there! (2 earlier)"
    seen = harness.assistant.seen[0]
    assert seen.context == ("<@W333>: Anyone know a good bookkeeper?", "assistant: Earlier answer")
    assert seen.thread_key == "slack:T111:C111:1595926000.000100:W222"


def test_a_pending_action_gets_buttons_and_a_click_confirms_it(harness: Harness) -> None:
    harness.link("slack", "T111:W111")
    harness.slack_post(dm("we closed a deal with Acme", event_id="EvDeal"))
    post = wait_until(lambda: harness.slack.posts())[0]
    actions = next(b for b in post.params["blocks"] if b["type"] == "actions")
    confirm = actions["elements"][0]
    assert confirm["value"] == "confirm:act_1" and confirm["style"] == "primary"

    click = copy.deepcopy(PAYLOADS["test_block_actions::body"])
    click["container"] = {
        "type": "message",
        "message_ts": post.params.get("ts", "111.222"),
        "channel_id": "D111",
    }
    click["actions"] = [{**confirm, "block_id": actions["block_id"], "type": "button", "action_ts": "1.2"}]
    response = harness.slack_post(b"payload=" + _quote(json.dumps(click)), form=True)
    assert response.status_code == 200
    wait_until(lambda: len(harness.slack.posts()) >= 2)
    assert harness.slack.posts()[1].params["text"] == "Done: confirm act_1."
    action = harness.assistant.seen[-1].action
    assert action is not None and (action.kind, action.target_id) == ("confirm", "act_1")
    assert harness.assistant.seen[-1].thread_key == "slack:T111:D111"
    update = wait_until(lambda: harness.slack.posts("chat.update"))[0]
    assert "Confirm" in update.params["text"] and "actions" not in json.dumps(update.params["blocks"])


def test_a_thumbs_up_reaction_on_our_reply_is_stored_as_feedback(harness: Harness) -> None:
    harness.link("slack", "T111:W111")
    harness.slack_post(dm("hello", event_id="EvFb"))
    post = wait_until(lambda: harness.slack.posts())[0]
    wait_until(lambda: _feedback_ids(harness))
    reaction = payload(
        "test_events_ignore_self::event_body",
        reaction="+1::skin-tone-2",
        item_user=BOT_USER,
        user="W111",
        item={"type": "message", "channel": "D111", "ts": "1700000001.000100"},
    )
    reaction["event_id"] = "EvReact"
    assert post.params["channel"] == "D111"
    assert harness.slack_post(reaction).status_code == 200
    wait_until(lambda: _feedback(harness) == [1])
    assert len(harness.slack.replies()) == 1  # feedback is not answered


def _feedback_ids(h: Harness) -> list[str]:
    with h.db.read() as session:
        return [
            m for m in session.scalars(select(Message.external_id).where(Message.external_id.is_not(None)))
        ]


def _feedback(h: Harness) -> list[int]:
    with h.db.read() as session:
        return [f for f in session.scalars(select(Message.feedback).where(Message.feedback.is_not(None)))]


def _quote(text: str) -> bytes:
    from urllib.parse import quote

    return quote(text).encode()


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        ("not-a-number", None),
        ("", None),
        ("1e9", None),
        ("now-301", None),
        ("now+400", None),
        (None, "v0=" + "0" * 64),
        (None, "garbage"),
        (None, ""),
    ],
)
def test_bad_timestamps_and_signatures_get_401_never_500(
    harness: Harness, timestamp: str | None, signature: str | None
) -> None:
    if timestamp and timestamp.startswith("now"):  # relative to when the test runs, not when it was collected
        timestamp = str(int(time.time()) + int(timestamp[3:]))
    response = harness.slack_post(dm("x"), timestamp=timestamp, signature=signature)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert harness.slack.calls == []


def test_the_docs_vector_passes_the_edge_with_a_frozen_clock(harness: Harness) -> None:
    vector = VECTORS["slack_signing_secret_docs_example"]
    harness.server.server.config.app.state.clock = lambda: (
        int(vector["headers"]["X-Slack-Request-Timestamp"]) + 5
    )
    ok = harness.http.post(
        "/slack/events",
        content=vector["raw_body"].encode(),
        headers={**vector["headers"], "Content-Type": vector["content_type"]},
    )
    assert ok.status_code == 200  # a command we do not offer (/webhook-collect): acknowledged, no reply
    harness.server.server.config.app.state.clock = time.time
    expired = harness.http.post(
        "/slack/events",
        content=vector["raw_body"].encode(),
        headers={**vector["headers"], "Content-Type": vector["content_type"]},
    )
    assert expired.status_code == 401
    harness.drain()
    assert harness.slack.replies() == []


def unusable_events(h: Harness) -> list[str]:
    with h.db.read() as session:
        query = select(InboundEvent.payload).where(
            InboundEvent.channel == "slack", InboundEvent.status == "unusable"
        )
        return [payload["reason"] for payload in session.scalars(query)]


@pytest.mark.parametrize(
    ("body", "form", "reason"),
    [
        (b"{not json", False, "the body is not JSON"),
        (b"payload=%7Bbroken", True, "the form's payload is not JSON"),
        (b"payload=%5B1%5D", True, "the form's payload is not a JSON object"),
        (b'"a string"', False, "the body is not a JSON object"),
        (b"\xff\xfe{}", False, "the body is not UTF-8"),
        (b'{"type": "view_submission", "view": {"callback_id": "x"}}', False, "bolt answered 500"),
        (b'{"type": "event_callback", "event": "x", "authorizations": 5}', False, "bolt could not read"),
    ],
    ids=[
        "not-json",
        "broken-payload",
        "payload-not-object",
        "json-string",
        "not-utf8",
        "bolt-500",
        "bolt-raises",
    ],
)
def test_a_signed_body_bolt_cannot_read_is_acknowledged_and_kept_once(
    harness: Harness, body: bytes, form: bool, reason: str
) -> None:
    """These were 500s (and Slack retried them); now 200, kept as one ``unusable`` event without the body."""
    assert harness.slack_post(body, form=form).status_code == 200
    assert harness.slack_post(body, form=form, headers={"X-Slack-Retry-Num": "1"}).status_code == 200
    [kept] = unusable_events(harness)
    assert kept.startswith(reason)
    assert harness.slack.posts() == []
