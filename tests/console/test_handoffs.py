"""Conversations the assistant handed off: the queue with the summary, picking one up, replying as the
agent (an ``agent`` message), handing it back to the assistant; each step audited with the agent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from composition.container import Layer8
from network.models import AuditEvent, Conversation, Message
from tests.console.helpers import ADMIN_TOKEN, Net, csrf, post, sign_in


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


def _page(net: Net) -> str:
    return f"/console/conversations/{net.conversation}"


def _audit(container: Layer8, action: str) -> list[tuple[str, str, str | None, dict[str, object]]]:
    """(actor kind, actor id, case id, data) of each audit row of ``action``."""
    columns = (AuditEvent.actor_kind, AuditEvent.actor_id, AuditEvent.case_id, AuditEvent.data)
    with container.db.read() as session:
        query = select(*columns).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def test_only_the_agent_handling_a_conversation_replies_or_hands_it_back(
    client: TestClient, container: Layer8, net: Net
) -> None:
    sign_in(client, net.alice)
    assert post(client, f"{_page(net)}/pick-up", {"csrf": csrf(client)}).status_code == 303
    sign_in(client, net.bob)
    token = csrf(client, _page(net))
    shown = client.get(_page(net)).text
    assert 'id="send-reply"' not in shown and 'id="hand-back"' not in shown
    reply = post(client, f"{_page(net)}/reply", {"csrf": token, "text": "Bob here, I will sort it."})
    assert reply.status_code == 403 and "agent.alice" in reply.text
    assert post(client, f"{_page(net)}/hand-back", {"csrf": token}).status_code == 403
    with container.db.read() as session:
        conversation = session.get(Conversation, net.conversation)
        assert conversation is not None
        assert (conversation.mode, conversation.agent_id) == ("handed_off", "agent.alice")
        assert [m.role for m in session.scalars(select(Message))] == ["user", "assistant"]


def test_a_refused_reply_comes_back_on_its_page_not_as_json(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    post(client, f"{_page(net)}/pick-up", {"csrf": csrf(client)})
    sign_in(client, net.bob)
    typed = "Dear Acme, <b>your credit</b> is on its way."
    response = post(client, f"{_page(net)}/reply", {"csrf": csrf(client), "text": typed})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'id="reply-error"' in page and "agent.alice is handling this conversation" in page
    assert "Dear Acme, &lt;b&gt;your credit&lt;/b&gt; is on its way.</textarea>" in page  # kept, escaped
    assert f'action="{_page(net)}/reply"' in response.text


def test_an_admin_takes_over_audited_then_replies_and_hands_back(
    client: TestClient, container: Layer8, net: Net
) -> None:
    sign_in(client, net.alice)
    post(client, f"{_page(net)}/pick-up", {"csrf": csrf(client)})
    sign_in(client, ADMIN_TOKEN)
    token = csrf(client, _page(net))
    assert 'id="take-over"' in client.get(_page(net)).text
    assert post(client, f"{_page(net)}/reply", {"csrf": token, "text": "too early"}).status_code == 403
    assert post(client, f"{_page(net)}/take-over", {"csrf": token}).status_code == 303
    assert post(client, f"{_page(net)}/reply", {"csrf": token, "text": "An admin here."}).status_code == 303
    assert post(client, f"{_page(net)}/hand-back", {"csrf": token}).status_code == 303
    assert _audit(container, "conversation.taken_over") == [
        ("admin", "admin", None, {"previous_agent": "agent.alice"})
    ]
    assert _audit(container, "conversation.handed_back")[-1][:2] == ("admin", "admin")


def test_an_agent_may_not_take_over(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    post(client, f"{_page(net)}/pick-up", {"csrf": csrf(client)})
    sign_in(client, net.bob)
    assert post(client, f"{_page(net)}/take-over", {"csrf": csrf(client)}).status_code == 403


def test_with_an_open_case_pick_up_and_reply_are_audited_with_the_case(
    client: TestClient, container: Layer8, net: Net
) -> None:
    """The case was read after its session had closed: Pick up and Send reply were a raw JSON 500."""
    sign_in(client, net.alice)
    token = csrf(client, f"/console/subscribers/{net.acme}")
    opened = post(
        client,
        f"/console/subscribers/{net.acme}/cases",
        {"csrf": token, "reason": "credit missing", "auth": "one-time code"},
    )
    assert opened.status_code == 303, opened.text
    assert post(client, f"{_page(net)}/pick-up", {"csrf": token}).status_code == 303
    assert post(client, f"{_page(net)}/reply", {"csrf": token, "text": "On it."}).status_code == 303
    [(kind, agent, case_id, _data)] = _audit(container, "conversation.picked_up")
    assert (kind, agent) == ("agent", "agent.alice") and case_id is not None
