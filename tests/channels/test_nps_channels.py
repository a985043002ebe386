"""The NPS question on each channel, with the real assistant on the scripted fake model and each platform's
real payload shapes: a WhatsApp interactive list (ten rows: "0 or 1", then 2 to 10) answered with a list
reply (pywa's ``callback_selection.json``), Slack buttons clicked with bolt's ``block_actions`` body, and the
web chat's buttons sent back as actions."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from assistant.messages import Action, Button, OutboundReply
from assistant.service import Options
from channels.options import MemoryOptions, choices_of, choose
from composition.channels import web_app
from composition.container import Layer8
from network import tokens
from network.actor import Actor
from network.db import Database
from network.models import ChannelIdentity, NpsResponse
from tests.assistant.fakes import fake_ports
from tests.channels.conftest import Harness as ChannelHarness
from tests.channels.conftest import channel_settings, load
from tests.channels.fakes import fake_servers, wait_until
from tests.channels.test_whatsapp_webhook import SENDER, interactive_body, text_body
from tests.harness import Harness
from tests.support import AppServer

QUESTION = "how likely are you to recommend Northwind Telecom to another business owner?"
REASON = "Thank you! What is the main reason for your score?"
SLACK = load("slack/bolt_python_scenario_payloads.json")
LIST_REPLY = load("whatsapp/callback_selection.json")


@contextmanager
def surveying(db: Database, home: Path) -> Iterator[tuple[ChannelHarness, Harness, str]]:
    """The app with the real assistant (NPS every 90 days) and a subscriber past onboarding."""
    options = Options(operator="Northwind Telecom", nps_period=timedelta(days=90))
    chat = Harness(db, ports=fake_ports(db), options=options)
    me = chat.subscriber("Leeds Bakes", description="a sourdough bakery in Leeds")
    chat.script(*(f"Happy to help with {t}." for t in ("opening hours", "pricing", "staff rotas")))
    with fake_servers() as (slack, graph):
        container = Layer8(channel_settings(db.url, home, slack, graph))
        container.db = db
        container.assistant = chat.assistant
        with AppServer(web_app(container)) as server, httpx.Client(base_url=server.url, timeout=30) as http:
            yield ChannelHarness(container, server, slack, graph, chat.assistant, http), chat, me  # type: ignore[arg-type]


def link(h: ChannelHarness, me: str, channel: str, external_id: str) -> None:
    with h.db.transaction(Actor.admin("test")) as session:
        session.add(ChannelIdentity(subscriber_id=me, channel=channel, external_id=external_id))


def survey(h: ChannelHarness) -> NpsResponse:
    with h.db.read() as session:
        found = session.query(NpsResponse).one()
        session.expunge(found)
        return found


def test_whatsapp_asks_with_an_interactive_list_and_a_list_reply_scores(
    sqlite_db: Database, tmp_path: Path
) -> None:
    with surveying(sqlite_db, tmp_path) as (h, _, me):
        link(h, me, "whatsapp", f"+{SENDER}")
        for n, text in enumerate(("opening hours", "pricing", "staff rotas"), start=1):
            h.wa_post(text_body(text, f"wamid.t{n}"))
            wait_until(lambda n=n: len(h.graph.sent()) >= n, timeout=60)  # type: ignore[misc]
        asked = h.graph.sent()[2].params
        assert asked["type"] == "interactive" and asked["interactive"]["type"] == "list"
        assert QUESTION in asked["interactive"]["body"]["text"]
        rows = asked["interactive"]["action"]["sections"][0]["rows"]
        survey_id = survey(h).id
        assert [r["id"] for r in rows] == [f"nps:{survey_id}:0-1"] + [
            f"nps:{survey_id}:{n}" for n in range(2, 11)
        ]
        assert [r["title"] for r in rows] == ["0 or 1"] + [str(n) for n in range(2, 11)]
        assert len(rows) == 10 and rows[0]["description"] == "Not at all likely"
        assert rows[-1]["description"] == "Extremely likely"

        tap = copy.deepcopy(LIST_REPLY["description"])  # Meta's list reply, as pywa recorded it
        message = tap["entry"][0]["changes"][0]["value"]["messages"][0]
        message["id"] = "wamid.pick7"
        message["interactive"]["list_reply"].update({"id": rows[6]["id"], "title": "7", "description": ""})
        assert h.wa_post(tap).status_code == 200
        wait_until(lambda: len(h.graph.sent()) >= 4, timeout=60)
        reason = h.graph.sent()[3].params
        assert reason["interactive"]["body"]["text"] == REASON
        assert [b["reply"]["title"] for b in reason["interactive"]["action"]["buttons"]] == ["Skip"]
        assert (survey(h).score, survey(h).state, survey(h).channel) == (7, "scored", "whatsapp")


def test_whatsapp_zero_or_one_asks_which_with_two_buttons(sqlite_db: Database, tmp_path: Path) -> None:
    with surveying(sqlite_db, tmp_path) as (h, _, me):
        link(h, me, "whatsapp", f"+{SENDER}")
        for n, text in enumerate(("opening hours", "pricing", "staff rotas"), start=1):
            h.wa_post(text_body(text, f"wamid.t{n}"))
            wait_until(lambda n=n: len(h.graph.sent()) >= n, timeout=60)  # type: ignore[misc]
        survey_id = survey(h).id
        tap = copy.deepcopy(LIST_REPLY["callback"])
        message = tap["entry"][0]["changes"][0]["value"]["messages"][0]
        message["id"] = "wamid.pick01"
        message["interactive"]["list_reply"].update({"id": f"nps:{survey_id}:0-1", "title": "0 or 1"})
        h.wa_post(tap)
        wait_until(lambda: len(h.graph.sent()) >= 4, timeout=60)
        which = h.graph.sent()[3].params["interactive"]
        assert which["type"] == "button" and which["body"]["text"] == "Is it 0 or 1?"
        assert [(b["reply"]["id"], b["reply"]["title"]) for b in which["action"]["buttons"]] == [
            (f"nps:{survey_id}:0", "0"),
            (f"nps:{survey_id}:1", "1"),
        ]
        assert survey(h).state == "asked"  # nothing recorded until the number
        h.wa_post(interactive_body("button_reply", f"nps:{survey_id}:0", "0", "wamid.zero"))
        wait_until(lambda: len(h.graph.sent()) >= 5, timeout=60)
        assert survey(h).score == 0


def test_slack_asks_with_eleven_buttons_and_a_click_scores(sqlite_db: Database, tmp_path: Path) -> None:
    with surveying(sqlite_db, tmp_path) as (h, _, me):
        link(h, me, "slack", "T111:W111")
        for n, text in enumerate(("opening hours", "pricing", "staff rotas"), start=1):
            body = copy.deepcopy(SLACK["test_message::message_body"])
            body["event_id"] = f"EvNps{n}"
            body["event"].update({"text": text, "user": "W111", "channel": "D111", "channel_type": "im"})
            body["event"]["ts"] = body["event"]["event_ts"] = f"1610000000.00000{n}"
            body["event"].pop("blocks", None)
            h.slack_post(body)
            wait_until(lambda n=n: len(h.slack.posts()) >= n, timeout=60)  # type: ignore[misc]
        asked = h.slack.posts()[2].params
        assert QUESTION in asked["text"]
        actions = next(b for b in asked["blocks"] if b["type"] == "actions")
        survey_id = survey(h).id
        assert [e["value"] for e in actions["elements"]] == [f"nps:{survey_id}:{n}" for n in range(11)]
        assert [e["text"]["text"] for e in actions["elements"]] == [str(n) for n in range(11)]

        click = copy.deepcopy(SLACK["test_block_actions::body"])
        click["container"] = {"type": "message", "message_ts": "111.222", "channel_id": "D111"}
        nine = actions["elements"][9]
        click["actions"] = [{**nine, "block_id": actions["block_id"], "type": "button", "action_ts": "1.2"}]
        assert h.slack_post(b"payload=" + quote(json.dumps(click)).encode(), form=True).status_code == 200
        wait_until(lambda: survey(h).score is not None, timeout=60)
        assert (survey(h).score, survey(h).channel) == (9, "slack")
        wait_until(lambda: any(REASON in p.params.get("text", "") for p in h.slack.posts()), timeout=60)


def test_web_chat_asks_with_buttons_and_the_action_scores(sqlite_db: Database, tmp_path: Path) -> None:
    with surveying(sqlite_db, tmp_path) as (h, _, me):
        with h.db.transaction(Actor.admin("test")) as session:
            token = tokens.issue(session, "subscriber", subscriber_id=me).token
        headers = {"Authorization": f"Bearer {token}"}
        bodies: list[dict[str, Any]] = [
            h.http.post("/v1/chat", json={"message": t, "thread": "t1"}, headers=headers).json()
            for t in ("opening hours", "pricing", "staff rotas")
        ]
        asked = bodies[-1]
        assert QUESTION in asked["reply"]
        survey_id = survey(h).id
        assert [(b["label"], b["action"]) for b in asked["buttons"]] == [
            (str(n), f"nps:{survey_id}:{n}") for n in range(11)
        ]
        scored = h.http.post(
            "/v1/chat", json={"action": f"nps:{survey_id}:10", "thread": "t1"}, headers=headers
        ).json()
        assert scored["reply"] == REASON
        assert [b["action"] for b in scored["buttons"]] == [f"nps:{survey_id}:skip"]
        assert (survey(h).score, survey(h).channel) == (10, "web")


@pytest.mark.parametrize("typed", ["0", "1"])
def test_the_typed_number_after_zero_or_one_is_the_score_not_a_position(typed: str) -> None:
    which = OutboundReply(
        "Is it 0 or 1?", buttons=[Button(str(n), Action("nps", "svy_1", str(n))) for n in (0, 1)]
    )
    assert which.text_fallback().endswith("Reply with a number from 0 to 1.")
    store = MemoryOptions()
    store.remember("wa:thread", choices_of(which))
    picked = choose(store, "wa:thread", typed)
    assert isinstance(picked, Action) and picked.value == typed
