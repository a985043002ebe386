"""Event invitations on the subscriber's own channel: a Slack DM with Going / Can't go buttons whose click
reaches the assistant as an RSVP; WhatsApp reply buttons inside the 24-hour window and the configured
template outside it; a seat freed from the waiting list is announced."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import update

from network.db import Database
from network.ids import utcnow
from network.models import ChannelIdentity
from network.services import events
from tests.channels.conftest import Harness, load, open_harness
from tests.channels.fakes import wait_until
from tests.channels.test_whatsapp_webhook import SENDER, interactive_body
from tests.events.builders import make_event

PAYLOADS = load("slack/bolt_python_scenario_payloads.json")
MILL = {"subscriber_id": "sub_x", "business_name": "Pennine Mills", "reasons": ["They mill flour."]}


def invite(h: Harness, who: str, capacity: int = 5) -> str:
    event_id, _ = make_event(h.db, capacity=capacity)
    with h.db.transaction() as session:
        events.invite(session, event_id, [events.Invitee(who, 1.0, [MILL])])
    return event_id


def test_a_slack_invitation_has_rsvp_buttons_and_a_click_reaches_the_assistant(harness: Harness) -> None:
    me = harness.link("slack", "T111:W111", name="Leeds Bakery")
    event_id = invite(harness, me)
    post = wait_until(lambda: harness.slack.posts())[0]
    assert "You're invited: Leeds breakfast" in post.params["text"]
    assert "You'd meet Pennine Mills: They mill flour." in post.params["text"]
    actions = next(b for b in post.params["blocks"] if b["type"] == "actions")
    going = actions["elements"][0]
    assert [e["value"] for e in actions["elements"]] == [f"rsvp:{event_id}:yes", f"rsvp:{event_id}:no"]

    click = copy.deepcopy(PAYLOADS["test_block_actions::body"])
    click["container"] = {"type": "message", "message_ts": "111.222", "channel_id": "D111"}
    click["actions"] = [{**going, "block_id": actions["block_id"], "type": "button", "action_ts": "1.2"}]
    assert harness.slack_post(b"payload=" + quote(json.dumps(click)).encode(), form=True).status_code == 200
    wait_until(lambda: harness.assistant.seen)
    action = harness.assistant.seen[-1].action
    assert action is not None and (action.kind, action.target_id, action.value) == ("rsvp", event_id, "yes")


def test_a_whatsapp_invitation_in_the_window_has_reply_buttons_and_a_tap_answers(harness: Harness) -> None:
    me = harness.link("whatsapp", f"+{SENDER}", name="Leeds Bakery")
    with harness.db.transaction() as session:
        session.execute(update(ChannelIdentity).values(last_inbound_at=utcnow() - timedelta(hours=2)))
    event_id = invite(harness, me)
    sent = wait_until(lambda: harness.graph.sent())[0].params
    buttons = sent["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        (f"rsvp:{event_id}:yes", "Going"),
        (f"rsvp:{event_id}:no", "Can't go"),
    ]
    harness.wa_post(interactive_body("button_reply", f"rsvp:{event_id}:no", "Can't go", "wamid.r1"))
    harness.drain()
    action = harness.assistant.seen[-1].action
    assert action is not None and (action.kind, action.value) == ("rsvp", "no")


def test_outside_the_whatsapp_window_only_the_configured_template_goes(
    sqlite_db: Database, tmp_path: Path
) -> None:
    with open_harness(sqlite_db, tmp_path, whatsapp_templates={"event_invitation": "layer8_event"}) as h:
        me = h.link("whatsapp", f"+{SENDER}", name="Leeds Bakery")  # never wrote to us
        invite(h, me)
        sent = wait_until(lambda: h.graph.sent())[0].params
        assert sent["type"] == "template" and sent["template"]["name"] == "layer8_event"


def test_a_seat_freed_from_the_waiting_list_is_announced(harness: Harness) -> None:
    first = harness.subscriber("Ana Bakes")
    waiting = harness.link("slack", "T111:W222", name="Bo Plumbing")
    event_id, _ = make_event(harness.db, capacity=1)
    with harness.db.transaction() as session:
        events.rsvp(session, event_id, first, going=True)
        events.rsvp(session, event_id, waiting, going=True)
    with harness.db.transaction() as session:
        events.rsvp(session, event_id, first, going=False)
    post = wait_until(lambda: harness.slack.posts())[0]
    assert "a seat freed up at Leeds breakfast" in post.params["text"]
