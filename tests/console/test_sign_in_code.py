"""An agent signs in to the console with a one-time code (``layer8 signin code --agent NAME``): it works once,
only for agents, and the session ends when the agent's token is revoked."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from composition.container import Layer8
from network import sign_in, tokens
from network.actor import Actor
from network.db import Database
from network.models import Role
from tests.console.helpers import _PRE, Net, csrf, post
from tests.console.helpers import sign_in as agent_sign_in
from tests.console.test_on_behalf_rules import _open_case


def agent_code(db: Database, agent: str = "agent.alice") -> str:
    with db.transaction(Actor.admin("test")) as session:
        return sign_in.issue_for_agent(session, agent, issued_by="test", sent_via="cli").code


def post_code(client: TestClient, code: str) -> httpx.Response:
    page = client.get("/console/sign-in")
    pre = _PRE.search(page.text)
    assert pre and 'id="code"' in page.text
    return client.post(
        "/console/sign-in",
        data={"code": code, "pre": pre.group(1), "next": "/console"},
        follow_redirects=False,
    )


def test_an_agent_code_opens_a_console_session_once(client: TestClient, net: Net, container: Layer8) -> None:
    db = container.db
    code = agent_code(db)
    signed = post_code(client, code)
    assert signed.status_code == 303, signed.text
    page = client.get("/console")
    assert page.status_code == 200 and "agent.alice" in page.text
    client.cookies.clear()
    again = post_code(client, code)
    assert again.status_code == 401 and "already used" in again.text


def test_a_subscriber_code_does_not_open_the_console(client: TestClient, net: Net, container: Layer8) -> None:
    db = container.db
    with db.transaction(Actor.admin("test")) as session:
        code = sign_in.issue_for_subscriber(session, net.acme, issued_by="test", sent_via="cli").code
    assert post_code(client, code).status_code == 401
    with db.transaction(Actor.admin("test")) as session:
        assert sign_in.redeem(session, Role.SUBSCRIBER, code) is not None  # not used up by the attempt


def test_revoking_the_token_ends_a_code_session(client: TestClient, net: Net, container: Layer8) -> None:
    db = container.db
    post_code(client, agent_code(db))
    assert client.get("/console", follow_redirects=False).status_code == 200
    with db.transaction(Actor.admin("test")) as session:
        tokens.revoke(session, net.alice)
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_an_agent_reads_a_web_chat_code_to_an_authenticated_customer(
    client: TestClient, net: Net, container: Layer8
) -> None:

    agent_sign_in(client, net.alice)
    page = f"/console/subscribers/{net.acme}"
    token = csrf(client, page)
    refused = post(client, f"{page}/sign-in-code", {"csrf": token})
    assert refused.status_code == 403  # no case: no code
    case_id = _open_case(client, net.acme)
    assert 'id="issue-sign-in-code"' in client.get(page).text
    shown = post(client, f"{page}/sign-in-code", {"csrf": csrf(client, page), "case_id": case_id})
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    code = shown.text.split('id="sign-in-code"')[1].split("<strong>")[1].split("<")[0]
    with container.db.transaction(Actor.admin("test")) as session:
        redeemed = sign_in.redeem(session, Role.SUBSCRIBER, code)
        assert redeemed is not None and redeemed.subscriber_id == net.acme and redeemed.sent_via == "console"
