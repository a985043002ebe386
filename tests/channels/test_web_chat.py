"""``POST /v1/chat``, ``/v1/chat/stream`` (SSE) and ``/v1/chat/feedback``, and the page itself."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from network import tokens
from network.actor import Actor
from network.models import Message
from tests.channels.conftest import Harness


def token(h: Harness, role: str = "subscriber", name: str = "Acme Plumbing") -> tuple[str, str | None]:
    subscriber_id = h.subscriber(name) if role == "subscriber" else None
    with h.db.transaction(Actor.admin("test")) as session:
        issued = tokens.issue(
            session, role, subscriber_id=subscriber_id, agent_id="agent.alice" if role == "agent" else None
        )
    return issued.token, subscriber_id


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def events(body: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_a_turn_as_json(harness: Harness) -> None:
    value, subscriber_id = token(harness)
    response = harness.http.post("/v1/chat", json={"message": "hello", "thread": "t1"}, headers=bearer(value))
    assert response.status_code == 200
    body = response.json()
    assert body["reply"] == "You said: hello"
    assert body["tool_calls"] == [] and body["pending_action"] is None
    assert body["thread"] == "t1" and body["message_id"].startswith("web_")
    seen = harness.assistant.seen[0]
    assert (seen.channel, seen.thread_key, seen.subscriber_id) == (
        "web",
        f"web:{subscriber_id}:t1",
        subscriber_id,
    )


def test_a_pending_action_comes_with_buttons_and_the_action_goes_back(harness: Harness) -> None:
    value, _ = token(harness)
    body = harness.http.post("/v1/chat", json={"message": "record my deal"}, headers=bearer(value)).json()
    assert body["pending_action"]["id"] == "act_1"
    assert [(b["label"], b["action"]) for b in body["buttons"]] == [
        ("Confirm", "confirm:act_1"),
        ("Cancel", "cancel:act_1"),
    ]
    done = harness.http.post("/v1/chat", json={"action": "confirm:act_1"}, headers=bearer(value)).json()
    assert done["reply"] == "Done: confirm act_1."


def test_the_stream_sends_deltas_then_one_reply(harness: Harness) -> None:
    value, _ = token(harness)
    response = harness.http.post("/v1/chat/stream", json={"message": "hi there"}, headers=bearer(value))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    parts = events(response.text)
    assert [kind for kind, _ in parts] == ["delta", "delta", "delta", "delta", "reply"]
    assert "".join(data["text"] for kind, data in parts if kind == "delta").strip() == "You said: hi there"
    assert parts[-1][1]["reply"] == "You said: hi there"


def test_feedback_on_a_reply_is_stored_for_its_owner_only(harness: Harness) -> None:
    value, _ = token(harness)
    other, _ = token(harness, name="Jane's Café")
    reply = harness.http.post("/v1/chat", json={"message": "hello"}, headers=bearer(value)).json()
    payload = {"message_id": reply["message_id"], "score": -1}
    assert harness.http.post("/v1/chat/feedback", json=payload, headers=bearer(other)).status_code == 404
    assert harness.http.post("/v1/chat/feedback", json=payload, headers=bearer(value)).status_code == 204
    with harness.db.read() as session:
        assert session.scalars(select(Message.feedback).where(Message.feedback.is_not(None))).all() == [-1]


def test_authentication_and_roles(harness: Harness) -> None:
    assert harness.http.post("/v1/chat", json={"message": "hi"}).status_code == 401
    assert harness.http.post("/v1/chat", json={"message": "hi"}, headers=bearer("l8_nope")).status_code == 401
    agent, _ = token(harness, role="agent")
    response = harness.http.post("/v1/chat", json={"message": "hi"}, headers=bearer(agent))
    assert response.status_code == 403 and response.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert harness.assistant.seen == []


def test_bad_requests_are_problems(harness: Harness) -> None:
    value, _ = token(harness)
    for body in ({}, {"message": "  "}, {"message": "x", "thread": "../etc"}, {"message": "x", "extra": 1}):
        assert harness.http.post("/v1/chat", json=body, headers=bearer(value)).status_code == 422, body
    bad_action = harness.http.post("/v1/chat", json={"action": "launch:missiles"}, headers=bearer(value))
    assert bad_action.status_code == 422


def test_the_page_and_its_files_are_served_with_a_strict_policy(harness: Harness) -> None:
    assert harness.http.get("/", follow_redirects=False).headers["location"] == "/chat"
    page = harness.http.get("/chat")
    assert page.status_code == 200 and "Layer8" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert harness.http.get("/chat/static/chat.js").status_code == 200
    assert harness.http.get("/chat/static/digest.js").status_code == 200
    assert harness.http.get("/chat/static/chat.css").status_code == 200


def test_a_thread_s_messages_are_read_after_a_seq_and_only_by_their_owner(harness: Harness) -> None:
    from network.conversations import add_message, open_conversation
    from network.services.handoffs import Handoffs

    value, me = token(harness)
    other, _ = token(harness, name="Pennine Mills")
    assert me is not None
    with harness.db.transaction(Actor.admin("test")) as session:
        conversation = open_conversation(session, "web", f"web:{me}:t1", me)
        add_message(session, conversation, "user", "I want a person")
        add_message(session, conversation, "tool", '{"secret": "tool data"}')
        add_message(session, conversation, "assistant", "Passing you on.")
        conversation.mode = "handed_off"
        conversation_id = conversation.id
    body = harness.http.get("/v1/chat/messages?thread=t1", headers=bearer(value)).json()
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"], "tool results are never shown"
    assert body["mode"] == "handed_off" and body["last_seq"] == 3
    Handoffs(harness.db, "agent.alice").reply(conversation_id, "Alice here, how can I help?")
    body = harness.http.get("/v1/chat/messages?thread=t1&after=3", headers=bearer(value)).json()
    assert [(m["role"], m["text"]) for m in body["messages"]] == [("agent", "Alice here, how can I help?")]
    theirs = harness.http.get("/v1/chat/messages?thread=t1", headers=bearer(other)).json()
    assert theirs["messages"] == [] and theirs["last_seq"] == 0, "another subscriber's thread is never read"
    bad = harness.http.get("/v1/chat/messages?thread=t1&after=-1", headers=bearer(value))
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert harness.http.get("/v1/chat/messages?thread=t1").status_code == 401
