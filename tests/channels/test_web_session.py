"""Signing in to the web chat with a one-time code (``/v1/chat/session``): the code becomes an HttpOnly
session cookie, works once, and the session ends on sign-out; a code can be sent to a linked chat."""

from __future__ import annotations

from datetime import timedelta

import httpx

from channels.web import history
from network import sign_in
from network.actor import Actor
from network.ids import utcnow
from network.models import ChannelIdentity, Conversation, Message, PendingAction, WebSession
from tests.channels.conftest import Harness
from tests.channels.fakes import wait_until


def code_for(h: Harness, subscriber_id: str) -> str:
    with h.db.transaction(Actor.admin("test")) as session:
        return sign_in.issue_for_subscriber(session, subscriber_id, issued_by="test", sent_via="cli").code


def browser(h: Harness) -> httpx.Client:
    """A client with its own cookie jar, like a browser profile."""
    return httpx.Client(base_url=str(h.http.base_url), timeout=10)


def test_a_code_becomes_a_session_cookie_that_works_once(harness: Harness) -> None:
    acme = harness.subscriber("Acme Plumbing")
    code = code_for(harness, acme)
    with browser(harness) as tab:
        assert tab.get("/v1/chat/session").status_code == 401
        response = tab.post("/v1/chat/session", json={"code": code.lower()})
        assert response.status_code == 200, response.text
        assert response.json()["business_name"] == "Acme Plumbing"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/v1/chat" in cookie
        assert code not in cookie
        assert tab.get("/v1/chat/session").json()["subscriber_id"] == acme
        reply = tab.post("/v1/chat", json={"message": "hello"}).json()
        assert reply["reply"] == "You said: hello"
        assert harness.assistant.seen[-1].subscriber_id == acme
    with browser(harness) as other:
        again = other.post("/v1/chat/session", json={"code": code})
        assert again.status_code == 401 and again.json()["code"] == "unauthenticated"
        assert "already used" in again.json()["detail"]


def test_sign_out_ends_the_session_for_every_tab(harness: Harness) -> None:
    acme = harness.subscriber()
    with browser(harness) as tab:
        tab.post("/v1/chat/session", json={"code": code_for(harness, acme)})
        secret = tab.cookies.get("layer8_chat")
        assert secret
        assert tab.delete("/v1/chat/session").status_code == 204
    with browser(harness) as second_tab:  # the same cookie, replayed
        second_tab.cookies.set("layer8_chat", secret, path="/v1/chat")
        assert second_tab.get("/v1/chat/messages").status_code == 401


def test_an_expired_session_is_refused(harness: Harness) -> None:
    acme = harness.subscriber()
    with browser(harness) as tab:
        tab.post("/v1/chat/session", json={"code": code_for(harness, acme)})
        with harness.db.transaction(Actor.admin("test")) as session:
            for row in session.query(WebSession).all():
                row.expires_at = utcnow() - timedelta(seconds=1)
        response = tab.post("/v1/chat", json={"message": "still there?"})
        assert response.status_code == 401 and response.json()["detail"] == "Please sign in to the web chat."


def test_a_cookie_post_from_another_site_is_refused(harness: Harness) -> None:
    acme = harness.subscriber()
    with browser(harness) as tab:
        tab.post("/v1/chat/session", json={"code": code_for(harness, acme)})
        sent = tab.post("/v1/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
        assert sent.status_code == 403
        assert harness.assistant.seen == []


def test_an_agent_code_does_not_open_the_web_chat_and_is_not_used_up(harness: Harness) -> None:
    with harness.db.transaction(Actor.admin("test")) as session:
        code = sign_in.issue_for_agent(session, "agent.alice", issued_by="test", sent_via="cli").code
    with browser(harness) as tab:
        assert tab.post("/v1/chat/session", json={"code": code}).status_code == 401
    with harness.db.transaction(Actor.admin("test")) as session:
        assert sign_in.redeem(session, sign_in.Role.AGENT, code) is not None


def test_a_code_is_sent_to_the_linked_whatsapp_chat_of_that_number(harness: Harness) -> None:
    acme = harness.subscriber()
    with harness.db.transaction(Actor.admin("test")) as session:
        session.add(
            ChannelIdentity(
                subscriber_id=acme, channel="whatsapp", external_id="+447700900123", last_inbound_at=utcnow()
            )
        )
    answer = harness.http.post("/v1/chat/session/code", json={"phone": "+44 7700 900123"})
    unknown = harness.http.post("/v1/chat/session/code", json={"phone": "+44 7700 900999"})
    assert answer.status_code == unknown.status_code == 202
    assert answer.json() == unknown.json()  # nobody learns which numbers are customers
    sent = wait_until(lambda: harness.graph.sent())
    body = sent[0].params["text"]["body"]
    code = body.split("code is ")[1].split(".")[0]
    assert sign_in.parse(code) is not None and sent[0].params["to"] == "447700900123"
    with browser(harness) as tab:
        assert tab.post("/v1/chat/session", json={"code": code}).json()["subscriber_id"] == acme
    assert len(harness.graph.sent()) == 1


def test_history_redraws_open_confirm_buttons_suggestions_and_feedback(harness: Harness) -> None:
    acme = harness.subscriber()
    with harness.db.transaction(Actor.subscriber(acme)) as session:
        conversation = Conversation(subscriber_id=acme, channel="web", thread_key=f"web:{acme}:main")
        session.add(conversation)
        session.flush()
        actions = [
            PendingAction(
                subscriber_id=acme,
                conversation_id=conversation.id,
                kind="record_deal",
                summary="s",
                payload={},
                state=state,
                idempotency_key=f"pak_{state}",
                expires_at=utcnow() + timedelta(hours=1),
            )
            for state in ("confirmed", "pending")
        ]
        session.add_all(actions)
        session.flush()
        item = {"id": "sub_1", "title": "Leeds Flour", "description": "mills flour"}
        rows = [
            ("user", "hello", []),
            ("assistant", "Confirm?", [{"pending_action_id": actions[0].id}]),
            ("user", "[button: confirm]", []),
            ("assistant", "Confirm this one?", [{"pending_action_id": actions[1].id}]),
            ("assistant", "You could meet:", [{"name": "find_introductions", "args": {}}, {"items": [item]}]),
        ]
        for seq, (role, text, calls) in enumerate(rows, start=1):
            session.add(
                Message(
                    conversation_id=conversation.id,
                    seq=seq,
                    role=role,
                    content=text,
                    tool_calls=calls,
                    external_id=f"web_{seq:032x}" if role == "assistant" else None,
                    feedback=1 if seq == 5 else None,
                )
            )
    shown = history.thread_messages(harness.db, acme, "main", 0).messages
    assert [m.text for m in shown][:3] == ["hello", "Confirm?", "Confirm"]
    assert shown[1].buttons == []  # decided: no buttons again
    assert [b.action for b in shown[3].buttons] == [f"confirm:{actions[1].id}", f"cancel:{actions[1].id}"]
    assert shown[4].items == [item] and shown[4].feedback == 1 and shown[4].message_id
    assert [m.seq for m in history.thread_messages(harness.db, acme, "main", 3).messages] == [4, 5]
