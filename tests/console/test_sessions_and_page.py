"""The session cookie cannot be forged, replayed after expiry or read as a token; the subscriber page
shows every kind of record; error pages for unknown subscribers."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

from fastapi.testclient import TestClient

from channels.console.sessions import COOKIE, ConsoleSession, Signer, cookie_is_secure
from network.ids import utcnow
from tests.console.helpers import Net, sign_in


def _session(expires_in: int = 3600) -> ConsoleSession:
    return ConsoleSession(
        "agent", "agent.alice", "ab" * 32, "csrf-secret", int(utcnow().timestamp()) + expires_in
    )


def test_a_signed_session_round_trips_and_a_tampered_or_expired_one_does_not() -> None:
    signer = Signer(b"k" * 32)
    value = signer.dumps(_session())
    assert signer.loads(value) == ConsoleSession(**json.loads(_decode(value)))
    signature = value.split(".")[1]
    forged = base64.urlsafe_b64encode(json.dumps({**json.loads(_decode(value)), "role": "admin"}).encode())
    assert signer.loads(f"{forged.decode().rstrip('=')}.{signature}") is None
    assert Signer(b"other" * 8).loads(value) is None
    assert signer.loads(signer.dumps(_session(expires_in=-1))) is None
    assert signer.loads("garbage") is None and signer.loads(None) is None
    assert signer.loads(signer.dumps(replace(_session(), agent_id="agent.bob"))) is not None


def _decode(value: str) -> bytes:
    payload = value.split(".")[0]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))


def test_cookies_are_secure_except_plain_http_on_loopback() -> None:
    assert not cookie_is_secure("http", "127.0.0.1") and not cookie_is_secure("http", "localhost")
    assert cookie_is_secure("https", "127.0.0.1") and cookie_is_secure("http", "console.telco.example")


def test_a_cookie_from_another_deployment_is_no_session(client: TestClient, net: Net) -> None:
    client.cookies.set(
        COOKIE, Signer(b"not-our-secret").dumps(_session()), domain="testserver", path="/console"
    )
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_the_subscriber_page_shows_every_record(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    html = client.get(f"/console/subscribers/{net.acme}").text
    for heading in (
        "Support case",
        "Profile",
        "Introductions",
        "Referrals",
        "Deals",
        "Incentives",
        "Consent history",
        "Recent conversations",
        "Audit trail",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "Bob Books" in html and "Hill Farm Shop" in html  # the referral received, by name
    assert "discoverable" in html and "waiting for an agent" in html
    assert 'href="#main"' in html and '<main id="main"' in html and 'aria-label="Main"' in html


def test_an_unknown_subscriber_is_a_404_page(client: TestClient, net: Net) -> None:
    sign_in(client, net.alice)
    response = client.get("/console/subscribers/sub_doesnotexist")
    assert response.status_code == 404 and "Not found" in response.text
