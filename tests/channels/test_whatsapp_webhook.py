"""WhatsApp Cloud API webhook against the running app and a fake Graph API: pywa's real bodies, signed."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from channels import texts
from channels.whatsapp import jobs as whatsapp_jobs
from network.actor import Actor
from network.models import InboundEvent, Message
from network.services import linking
from tests.channels.conftest import WA_PHONE_ID, WA_VERIFY, Harness, load
from tests.channels.fakes import wait_until
from tools import phrases

MESSAGES: dict[str, Any] = load("whatsapp/message.json")
STATUSES: dict[str, Any] = load("whatsapp/message_status.json")
VECTORS = load("signature_vectors.json")
SENDER = "972987654321"  # the sender in pywa's fixtures


def text_body(text: str, message_id: str = "wamid.in.1", sender: str = SENDER) -> dict[str, Any]:
    body = copy.deepcopy(MESSAGES["text"])
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update({"id": message_id, "from": sender, "text": {"body": text}})
    return body


def interactive_body(kind: str, reply_id: str, title: str, message_id: str) -> dict[str, Any]:
    body = text_body("", message_id)
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message.update(
        {"type": "interactive", "interactive": {"type": kind, kind: {"id": reply_id, "title": title}}}
    )
    return body


def sent_texts(h: Harness) -> list[dict[str, Any]]:
    return [c.params for c in h.graph.sent()]


# --- subscription check --------------------------------------------------------------------------------
def test_the_subscription_check_echoes_the_challenge(harness: Harness) -> None:
    ok = harness.http.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    wrong = harness.http.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    assert harness.http.get("/webhooks/whatsapp").status_code == 403


# --- signatures ------------------------------------------------------------------------------------------
def test_pywas_signed_body_verifies_over_its_raw_bytes(harness: Harness) -> None:
    vector = VECTORS["whatsapp_cloud_api_x_hub_signature_256"]
    raw = vector["raw_body"].encode()
    response = harness.wa_post(raw, signature=vector["expected_signature"])
    assert response.status_code == 200
    # the same JSON re-serialised (different bytes) no longer matches
    reserialised = json.dumps(json.loads(raw), indent=1).encode()
    assert harness.wa_post(reserialised, signature=vector["expected_signature"]).status_code == 403


@pytest.mark.parametrize(
    ("signature", "status"),
    [
        ("", 401),
        ("sha1=abc", 401),
        ("sha256=xyz", 401),
        (("sha256=" + "ä" * 64).encode(), 401),
        ("sha256=" + "0" * 64, 403),
    ],
)
def test_missing_malformed_or_wrong_signatures(harness: Harness, signature: str | bytes, status: int) -> None:
    response = harness.wa_post(text_body("hi"), signature=signature)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert harness.graph.calls == []


def unusable_events(harness: Harness) -> list[tuple[str, str, dict[str, Any]]]:
    with harness.db.read() as session:
        query = select(InboundEvent.kind, InboundEvent.status, InboundEvent.payload).where(
            InboundEvent.channel == "whatsapp", InboundEvent.status == "unusable"
        )
        return [(kind, status, payload) for kind, status, payload in session.execute(query)]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[" * 5000 + b"]" * 5000,
        {"object": "whatsapp_business_account", "entry": "x"},
    ],
    ids=["not-json", "too-deep", "entry-not-a-list"],
)
def test_a_signed_body_we_cannot_use_is_acknowledged_and_kept_once(harness: Harness, body: Any) -> None:
    """Meta retries anything but 200 for days: an unusable body is acknowledged and kept (not its text)."""
    assert harness.wa_post(body).status_code == 200
    assert harness.wa_post(body).status_code == 200  # a retry: still one event
    [(kind, status, facts)] = unusable_events(harness)
    assert (kind, status) == ("unusable", "unusable") and set(facts) == {"reason", "bytes", "sha256"}
    assert harness.graph.calls == []


@pytest.mark.parametrize(
    "change",
    [
        {"metadata": "1122334455667"},  # parse.py read metadata as a dict
        {"messages": [{"id": "wamid.X", "from": "16315551234", "type": "text", "text": "Hi"}]},
        {"messages": [{"id": "wamid.Y", "from": "1", "type": "interactive", "interactive": {"type": ["x"]}}]},
        {
            "messages": [
                {"id": "wamid.Z", "from": "1", "type": "text", "timestamp": 1e400, "text": {"body": "x"}}
            ]
        },
        {"messages": "not a list"},
    ],
)
def test_fields_of_the_wrong_type_are_not_a_500(harness: Harness, change: dict[str, Any]) -> None:
    body = text_body("hi")
    body["entry"][0]["changes"][0]["value"].update(change)
    response = harness.wa_post(body)
    assert response.status_code == 200, response.text


# --- messages --------------------------------------------------------------------------------------------
def test_a_text_from_a_linked_number_is_answered_through_the_graph_api(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    response = harness.wa_post(text_body("Body Text"))
    assert response.status_code == 200 and response.json() == {"received": 1, "ignored": 0}
    sent = wait_until(lambda: harness.graph.sent())[0]
    assert sent.path == f"/{WA_PHONE_ID}/messages"
    assert sent.headers["authorization"] == "Bearer wa-test-token"
    assert sent.params["to"] == SENDER and sent.params["type"] == "text"
    assert sent.params["text"]["body"] == "You said: Body Text"
    assert harness.assistant.seen[0].thread_key == f"whatsapp:+{SENDER}"


def test_duplicates_are_answered_once(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    for _ in range(3):
        assert harness.wa_post(text_body("once", "wamid.dup")).status_code == 200
    harness.drain()
    assert [p["text"]["body"] for p in sent_texts(harness)] == ["You said: once"]
    with harness.db.read() as session:
        rows = session.execute(select(InboundEvent.event_id, InboundEvent.status)).all()
    assert [tuple(r) for r in rows] == [("wamid.dup", "answered")]


def test_a_turn_taken_up_again_after_its_reply_is_not_sent_twice(harness: Harness) -> None:
    """A worker killed after the reply and before it let go of the task: another worker runs the task again
    (at least once delivery); the receipt says it was answered, so nothing is sent the second time."""
    harness.link("whatsapp", f"+{SENDER}")
    assert harness.wa_post(text_body("once", "wamid.again")).status_code == 200
    harness.drain()
    task = {"from": SENDER, "message_id": "wamid.again", "text": "once", "received_at": time.time()}
    whatsapp_jobs.run_message(harness.runtime, task)
    assert [p["text"]["body"] for p in sent_texts(harness)] == ["You said: once"]
    assert len(harness.assistant.seen) == 1


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_real_message_body_is_acknowledged(harness: Harness, name: str) -> None:
    """Text is answered (the sender is unlinked: with how to link); every other type gets 200 and no reply."""
    response = harness.wa_post(MESSAGES[name])
    assert response.status_code == 200
    harness.drain()
    kind = MESSAGES[name]["entry"][0]["changes"][0]["value"]["messages"][0]["type"]
    if kind == "text":
        assert [p["text"]["body"] for p in sent_texts(harness)] == [phrases.NOT_LINKED]
    else:
        assert sent_texts(harness) == []
    assert harness.assistant.seen == []


def test_statuses_are_acknowledged_and_not_answered(harness: Harness) -> None:
    for name, body in STATUSES.items():
        response = harness.wa_post(body)
        assert response.status_code == 200, name
        assert response.json()["received"] == 0
    harness.drain()
    assert harness.graph.calls == []


def test_unknown_objects_and_fields_are_acknowledged(harness: Harness) -> None:
    assert harness.wa_post({"object": "page", "entry": []}).status_code == 200
    other_field = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "account_update", "value": {}}]}],
    }
    assert harness.wa_post(other_field).status_code == 200
    assert harness.wa_post([1, 2, 3]).status_code == 200
    assert harness.graph.calls == []


def test_a_message_for_another_phone_number_is_not_ours(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    body = text_body("hi")
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert harness.wa_post(body).json() == {"received": 0, "ignored": 1}


def test_linking_a_number_with_a_one_time_code(harness: Harness) -> None:
    subscriber_id = harness.subscriber("Acme Plumbing")
    with harness.db.transaction(Actor.admin("test")) as session:
        code = linking.issue_code(session, subscriber_id, issued_by="operator").code
    harness.wa_post(text_body("what are my matches?", "wamid.a"))
    harness.wa_post(text_body(code, "wamid.b"))
    harness.drain()
    assert [p["text"]["body"] for p in sent_texts(harness)] == [
        phrases.NOT_LINKED,
        texts.LINKED.format(business="Acme Plumbing"),
    ]
    assert harness.assistant.seen == []  # nothing reached the assistant before the link
    harness.wa_post(text_body("hello again", "wamid.c"))
    harness.drain()
    assert harness.assistant.seen[0].subscriber_id == subscriber_id


# --- interactive -----------------------------------------------------------------------------------------
def test_a_pending_action_is_sent_as_reply_buttons_and_a_tap_confirms_it(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    harness.wa_post(text_body("we closed a deal", "wamid.d1"))
    sent = wait_until(lambda: harness.graph.sent())[0].params
    assert sent["type"] == "interactive" and sent["interactive"]["type"] == "button"
    buttons = sent["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("confirm:act_1", "Confirm"),
        ("cancel:act_1", "Cancel"),
    ]
    harness.wa_post(interactive_body("button_reply", "confirm:act_1", "Confirm", "wamid.d2"))
    harness.drain()
    action = harness.assistant.seen[-1].action
    assert action is not None and (action.kind, action.target_id) == ("confirm", "act_1")
    assert sent_texts(harness)[-1]["text"]["body"] == "Done: confirm act_1."


def test_a_typed_number_answers_the_last_options(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    harness.wa_post(text_body("we closed a deal", "wamid.n1"))
    harness.drain()
    harness.wa_post(text_body("2", "wamid.n2"))
    harness.drain()
    action = harness.assistant.seen[-1].action
    assert action is not None and (action.kind, action.target_id) == ("cancel", "act_1")


def test_list_items_are_sent_as_a_list_and_a_row_answers_by_its_number(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    harness.wa_post(text_body("show my matches", "wamid.l1"))
    sent = wait_until(lambda: harness.graph.sent())[0].params
    assert sent["interactive"]["type"] == "list"
    rows = sent["interactive"]["action"]["sections"][0]["rows"]
    assert [(r["id"], r["title"]) for r in rows] == [
        ("n:1", "Business 1"),
        ("n:2", "Business 2"),
        ("n:3", "Business 3"),
    ]
    harness.wa_post(interactive_body("list_reply", "n:2", "Business 2", "wamid.l2"))
    harness.drain()
    assert harness.assistant.seen[-1].text == "Business 2"


def test_a_thumbs_up_reaction_to_our_reply_is_feedback_and_not_answered(harness: Harness) -> None:
    harness.link("whatsapp", f"+{SENDER}")
    harness.wa_post(text_body("hello", "wamid.r1"))
    harness.drain()
    reaction = copy.deepcopy(MESSAGES["reaction"])
    reaction["entry"][0]["changes"][0]["value"]["messages"][0].update(
        {"id": "wamid.r2", "reaction": {"message_id": "wamid.out.1", "emoji": "👍🏽"}}
    )
    assert harness.wa_post(reaction).status_code == 200
    harness.drain()
    with harness.db.read() as session:
        assert session.scalars(
            select(Message.feedback).where(Message.external_id == "wamid.out.1")
        ).all() == [1]
    assert len(harness.graph.sent()) == 1
