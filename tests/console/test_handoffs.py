"""Conversations the assistant handed off: the queue with the summary, picking one up, replying as the
agent (an ``agent`` message), handing it back to the assistant; each step audited with the agent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from composition.container import Layer8
from network.models import AuditEvent, Conversation, Message
from tests.console.helpers import Net, csrf, post, sign_in


def test_pick_up_reply_and_hand_back(client: TestClient, container: Layer8, net: Net) -> None:
    sign_in(client, net.alice)
    queue = client.get("/console/handoffs").text
    assert "Acme Plumbing" in queue and "referral credit is missing" in queue and "disputes a bill" in queue
    token = csrf(client, f"/console/conversations/{net.conversation}")
    page = f"/console/conversations/{net.conversation}"
    assert post(client, f"{page}/pick-up", {"csrf": token}).status_code == 303
    assert (
        post(client, f"{page}/reply", {"csrf": token, "text": "Hello, I am Alice from support."}).status_code
        == 303
    )
    shown = client.get(page).text
    assert "Hello, I am Alice from support." in shown and "msg-agent" in shown
    assert post(client, f"{page}/hand-back", {"csrf": token}).status_code == 303
    assert "Acme Plumbing" not in client.get("/console/handoffs").text
    late = post(client, f"{page}/reply", {"csrf": token, "text": "one more thing"})
    assert late.status_code == 409
    with container.db.read() as session:
        conversation = session.get(Conversation, net.conversation)
        assert conversation is not None and conversation.mode == "assistant"
        assert conversation.agent_id == "agent.alice"
        roles = [m.role for m in session.scalars(select(Message).order_by(Message.seq))]
        assert roles == ["user", "assistant", "agent"]
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == "agent.alice").order_by(AuditEvent.seq)
        ).all()
    assert "conversation.picked_up" in actions and "messages.created" in actions
    assert "conversation.handed_back" in actions[-2:]


def test_another_agent_cannot_take_a_picked_up_conversation(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    token = csrf(client)
    post(client, f"/console/conversations/{net.conversation}/pick-up", {"csrf": token})
    sign_in(client, net.bob)
    token = csrf(client)
    taken = post(client, f"/console/conversations/{net.conversation}/pick-up", {"csrf": token})
    assert taken.status_code == 409 and "agent.alice" in taken.text


def test_an_empty_reply_is_refused(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    token = csrf(client)
    response = post(client, f"/console/conversations/{net.conversation}/reply", {"csrf": token, "text": "  "})
    assert response.status_code == 422
