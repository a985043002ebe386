"""The support inbox: every conversation with filters (handed off, mine, unassigned, by business), assignment
to another agent, the customer panel beside the conversation, canned replies from files, and a refused reply
that keeps what the agent typed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from channels.console.canned import canned_replies
from composition.container import Layer8
from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.models import AuditEvent, Conversation
from tests.console.helpers import Net, csrf, post, sign_in


def _chat_with_the_assistant(container: Layer8, net: Net) -> str:
    with container.db.transaction(Actor.subscriber(net.cafe)) as session:
        conversation = open_conversation(session, "whatsapp", "whatsapp:cafe", net.cafe)
        add_message(session, conversation, "user", "Any ideas for quiet Mondays?")
        return conversation.id


def test_the_inbox_filters_every_conversation(client: TestClient, container: Layer8, net: Net) -> None:
    chat = _chat_with_the_assistant(container, net)
    sign_in(client, net.alice)
    waiting = client.get("/console/handoffs").text
    assert "Acme Plumbing" in waiting and "Jane" not in waiting and "unassigned" in waiting
    everything = client.get("/console/handoffs", params={"view": "all"}).text
    assert chat in everything and net.conversation in everything and "with the assistant" in everything
    assert chat in client.get("/console/handoffs", params={"view": "all", "business": "jane"}).text
    assert (
        net.conversation
        not in client.get("/console/handoffs", params={"view": "all", "business": "jane"}).text
    )
    assert "Nothing here" in client.get("/console/handoffs", params={"who": "mine"}).text
    token = csrf(client)
    post(client, f"/console/conversations/{net.conversation}/pick-up", {"csrf": token})
    assert net.conversation in client.get("/console/handoffs", params={"who": "mine"}).text
    assert "Nothing here" in client.get("/console/handoffs", params={"who": "unassigned"}).text


def test_assigning_a_conversation_to_another_agent(client: TestClient, container: Layer8, net: Net) -> None:
    sign_in(client, net.alice)
    page = f"/console/conversations/{net.conversation}"
    shown = client.get(page).text
    assert 'id="assign-agent"' in shown and "agent.bob" in shown and "agent.alice (me)" in shown
    assert (
        post(client, f"{page}/assign", {"csrf": csrf(client, page), "agent": "agent.bob"}).status_code == 303
    )
    sign_in(client, net.bob)
    assert net.conversation in client.get("/console/handoffs", params={"who": "mine"}).text
    with container.db.read() as session:
        conversation = session.get(Conversation, net.conversation)
        assert conversation is not None and conversation.agent_id == "agent.bob"
        assigned = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "conversation.assigned")
        ).one()
        assert assigned.actor_id == "agent.alice" and assigned.data["agent"] == "agent.bob"


def test_the_customer_panel_and_canned_replies(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    page = f"/console/conversations/{net.conversation}"
    shown = client.get(page).text
    assert 'id="customer-panel"' in shown and "Plumbing Contractors" in shown and "Open actions" in shown
    first = canned_replies()[0]
    assert first.title in shown and f"?reply={first.name}" in shown
    prefilled = client.get(page, params={"reply": first.name}).text
    assert f">{first.text}</textarea>" in prefilled.replace("&#39;", "'")


def test_a_refused_reply_keeps_what_was_typed(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    page = f"/console/conversations/{net.conversation}"
    token = csrf(client, page)
    post(client, f"{page}/hand-back", {"csrf": token})
    late = post(client, f"{page}/reply", {"csrf": token, "text": "One more thing about your bill"})
    assert late.status_code == 409
    assert 'id="reply-error"' in late.text and "One more thing about your bill</textarea>" in late.text


def test_an_error_page_keeps_what_was_typed(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    page = f"/console/conversations/{net.conversation}"
    token = csrf(client, page)
    post(client, f"{page}/hand-back", {"csrf": token})
    refused = post(
        client, f"{page}/assign", {"csrf": token, "agent": "agent.bob"}, referer=f"https://testserver{page}"
    )
    assert refused.status_code == 409 and 'id="typed"' in refused.text
    assert '<dt>agent</dt><dd class="pre">agent.bob</dd>' in refused.text
    assert "<dt>csrf</dt>" not in refused.text
    assert f'href="{page}" id="back-to-form"' in refused.text


def test_on_behalf_forms_pick_subscribers_by_name(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    page = f"/console/subscribers/{net.acme}"
    opened = post(
        client, f"{page}/cases", {"csrf": csrf(client, page), "reason": "call", "auth": "one-time code"}
    )
    assert opened.status_code == 303, opened.text
    html = client.get(page).text
    assert html.count('list="subscriber-choices"') == 2 and '<datalist id="subscriber-choices">' in html
    assert f'<option value="{net.cafe}" label="Jane&#39;s Café — York">' in html
    assert f'<option value="{net.acme}"' not in html  # not themselves
