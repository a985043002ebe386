"""Rate limits with small limits, on the running app: chat turns per subscriber, failed sign-ins per address
(API, web chat and console, backing off), sign-ins per account (console agents, web chat subscribers, code
requests per number), API calls per token, webhook events
per sender. Over a limit: 429 problem+json ``rate_limited`` with ``Retry-After``."""

from __future__ import annotations

import copy
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError

from assistant.messages import InboundMessage
from assistant.settings import Settings
from channels.api.rate_limits import RateLimits
from network import sign_in as sign_in_codes
from network import tokens
from network.actor import Actor
from network.db import Database
from network.errors import RateLimited
from network.models import ChannelIdentity, SignInCode
from tests.channels.conftest import Harness, load, open_harness

ADMIN = "test-admin-token-rate-limits-7c2d"
WA_BODY = load("whatsapp/message.json")["text"]
SLACK_DM = load("slack/bolt_python_scenario_payloads.json")["test_message::message_body"]


@pytest.fixture
def small(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    limits = {
        "rate_limit_turns": "2/minute",
        "rate_limit_sign_in_ip": "2/minute;3/hour",
        "rate_limit_sign_in_account": "2/minute",
        "rate_limit_api": "4/minute",
        "rate_limit_webhook": "2/minute",
    }
    with open_harness(sqlite_db, tmp_path, admin_token=SecretStr(ADMIN), **limits) as harness:
        yield harness


def assert_limited(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
    problem: dict[str, Any] = response.json()
    assert problem["code"] == "rate_limited"
    return problem


def issue(h: Harness, role: str = "subscriber") -> str:
    subscriber_id = h.subscriber(f"Acme {uuid.uuid4().hex[:6]}") if role == "subscriber" else None
    with h.db.transaction(Actor.admin("test")) as session:
        agent = f"agent.{uuid.uuid4().hex[:6]}" if role == "agent" else None
        return tokens.issue(session, role, subscriber_id=subscriber_id, agent_id=agent).token


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_chat_turns_per_subscriber(small: Harness) -> None:
    mine, other = issue(small), issue(small)
    for _ in range(2):
        assert small.http.post("/v1/chat", json={"message": "hi"}, headers=bearer(mine)).status_code == 200
    assert_limited(small.http.post("/v1/chat/stream", json={"message": "hi"}, headers=bearer(mine)))
    assert small.http.post("/v1/chat", json={"message": "hi"}, headers=bearer(other)).status_code == 200


def test_turns_on_whatsapp_and_slack_count_against_the_same_limit_as_the_web_chat(small: Harness) -> None:
    """One turns limit per subscriber, whatever the channel: past it the reply asks them to wait."""
    subscriber_id = small.link("whatsapp", "+447700900555")
    with small.db.transaction(Actor.admin("test")) as session:
        session.add(ChannelIdentity(subscriber_id=subscriber_id, channel="slack", external_id="T1:U555"))
        token = tokens.issue(session, "subscriber", subscriber_id=subscriber_id).token
    assert small.runtime.limits is small.server.server.config.app.state.rate_limits  # one set of counters
    turns = small.runtime.turns
    first = turns.run(InboundMessage("whatsapp", "wa:1", None, text="hi", external_user="+447700900555"))
    assert first.error_code is None
    assert small.http.post("/v1/chat", json={"message": "hi"}, headers=bearer(token)).status_code == 200
    refused = turns.run(InboundMessage("slack", "sl:1", None, text="hi", external_user="T1:U555"))
    assert refused.error_code == "rate_limited" and "wait" in refused.text
    assert_limited(small.http.post("/v1/chat", json={"message": "hi"}, headers=bearer(token)))
    assert len(small.assistant.seen) == 2  # the refused turns never reached the assistant


def test_api_calls_per_token(small: Harness) -> None:
    mine, other = issue(small), issue(small)
    for _ in range(4):
        assert small.http.get("/v1/me", headers=bearer(mine)).status_code == 200
    assert_limited(small.http.get("/v1/me", headers=bearer(mine)))
    assert small.http.get("/v1/me", headers=bearer(other)).status_code == 200


def test_failed_bearer_tokens_per_address_back_off(small: Harness) -> None:
    good = issue(small)
    for _ in range(2):
        assert small.http.get("/v1/me", headers=bearer("l8_wrong")).status_code == 401
    problem = assert_limited(small.http.get("/v1/me", headers=bearer("l8_wrong")))
    assert "sign-ins" in problem["detail"]
    assert_limited(small.http.get("/v1/me", headers=bearer(good)))  # the address waits, whatever it sends


def sign_in(client: httpx.Client, token: str) -> httpx.Response:
    page = client.get("/console/sign-in")
    pre = re.search(r'name="pre" value="([^"]+)"', page.text)
    assert pre, page.text
    form = {"token": token, "pre": pre.group(1), "next": "/console"}
    return client.post("/console/sign-in", data=form, follow_redirects=False)


def test_console_sign_ins_per_address_and_per_account(small: Harness) -> None:
    agent = issue(small, "agent")
    for _ in range(2):
        assert sign_in(small.http, agent).status_code == 303
    refused = sign_in(small.http, agent)
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["Retry-After"]) >= 1 and "Too many sign-ins" in refused.text
    assert sign_in(small.http, ADMIN).status_code == 303  # another account
    for _ in range(2):
        assert sign_in(small.http, "l8_not-a-token").status_code == 401
    assert sign_in(small.http, "l8_not-a-token").status_code == 429


def test_whatsapp_events_per_sender(small: Harness) -> None:
    def from_sender(sender: str, n: int) -> dict[str, Any]:
        body: dict[str, Any] = copy.deepcopy(WA_BODY)
        message = body["entry"][0]["changes"][0]["value"]["messages"][0]
        message.update({"from": sender, "id": f"wamid.{sender}.{n}"})
        return body

    for n in range(2):
        assert small.wa_post(from_sender("447700900001", n)).status_code == 200
    assert_limited(small.wa_post(from_sender("447700900001", 2)))
    assert small.wa_post(from_sender("447700900002", 0)).status_code == 200


def test_slack_events_per_sender(small: Harness) -> None:
    def from_user(user: str, n: int) -> dict[str, Any]:
        body: dict[str, Any] = copy.deepcopy(SLACK_DM)
        body["event_id"] = f"Ev{user}{n}"
        body["event"].update(user=user, channel="D111", channel_type="im")
        return body

    for n in range(2):
        assert small.slack_post(from_user("W111", n)).status_code == 200
    assert_limited(small.slack_post(from_user("W111", 2)))
    assert small.slack_post(from_user("W222", 0)).status_code == 200


def test_limits_are_checked_when_the_settings_load() -> None:
    with pytest.raises(ValidationError, match="not a rate limit"):
        Settings(_env_file=None, rate_limit_api="lots")  # type: ignore[call-arg]


def test_switched_off_nothing_is_limited() -> None:
    limits = RateLimits(Settings(_env_file=None, rate_limit_enabled=False, rate_limit_api="1/hour"))  # type: ignore[call-arg]
    for _ in range(5):
        limits.hit("api", "token")


@pytest.mark.skipif(not os.environ.get("LAYER8_TEST_REDIS_URL"), reason="needs LAYER8_TEST_REDIS_URL")
def test_in_redis_the_counters_are_shared_by_every_node() -> None:
    url = os.environ["LAYER8_TEST_REDIS_URL"]
    settings = Settings(_env_file=None, rate_limit_storage_url=url, rate_limit_api="2/minute")  # type: ignore[call-arg]
    first, second = RateLimits(settings), RateLimits(settings)
    assert first.remote
    key = f"token-{uuid.uuid4().hex}"
    first.hit("api", key)
    second.hit("api", key)
    with pytest.raises(RateLimited) as refused:
        first.hit("api", key)
    assert refused.value.retry_after >= 1


# --- the web chat's sign-ins: a one-time code, and asking for one ----------------------------------------
def code_for(h: Harness, subscriber_id: str) -> str:
    with h.db.transaction(Actor.admin("test")) as session:
        return sign_in_codes.issue_for_subscriber(
            session, subscriber_id, issued_by="test", sent_via="cli"
        ).code


def unused(h: Harness, code: str) -> bool:
    symbols = sign_in_codes.parse(code)
    assert symbols is not None
    with h.db.read() as session:
        row = session.get(SignInCode, sign_in_codes._hash(symbols))
        return row is not None and row.used_at is None


def redeem(h: Harness, code: str) -> httpx.Response:
    with httpx.Client(base_url=str(h.http.base_url), timeout=10) as tab:  # a fresh browser each time
        return tab.post("/v1/chat/session", json={"code": code})


def test_web_chat_codes_per_address_back_off(small: Harness) -> None:
    """Wrong codes count against the address; past the limit even a good code waits, and is not used up."""
    good = code_for(small, small.subscriber("Acme Plumbing"))
    for _ in range(2):
        assert redeem(small, "ZZZZ-ZZZZ").status_code == 401
    problem = assert_limited(redeem(small, "ZZZZ-ZZZZ"))
    assert "sign-ins" in problem["detail"]
    assert_limited(redeem(small, good))
    assert unused(small, good)
    assert_limited(small.http.get("/v1/me", headers=bearer("l8_wrong")))  # one address, every sign-in path


def test_web_chat_sign_ins_per_subscriber(small: Harness) -> None:
    """Good codes count against their subscriber: a third within the minute waits and stays usable; another
    subscriber signs in meanwhile."""
    acme, other = small.subscriber("Acme Plumbing"), small.subscriber("Bolt Couriers")
    for _ in range(2):
        assert redeem(small, code_for(small, acme)).status_code == 200
    third = code_for(small, acme)
    problem = assert_limited(redeem(small, third))
    assert "this account" in problem["detail"]
    assert unused(small, third)
    assert redeem(small, code_for(small, other)).status_code == 200


@pytest.fixture
def code_requests(sqlite_db: Database, tmp_path: Path) -> Iterator[Harness]:
    limits = {"rate_limit_sign_in_ip": "5/minute", "rate_limit_sign_in_account": "2/minute"}
    with open_harness(sqlite_db, tmp_path, **limits) as harness:
        yield harness


def test_code_requests_per_number_and_per_address(code_requests: Harness) -> None:
    """Asking for a code counts against the number (customer or not, so a 429 tells nobody who is one) and
    against the address."""
    h = code_requests
    h.link("whatsapp", "+447700900123")

    def ask(phone: str) -> httpx.Response:
        return h.http.post("/v1/chat/session/code", json={"phone": phone})

    for phone in ("+44 7700 900123", "0044 7700 900123"):  # one number, however it is typed
        assert ask(phone).status_code == 202
    assert "this account" in assert_limited(ask("+447700900123"))["detail"]
    for phone in ("+44 7700 900998", "+44 7700 900999"):
        assert ask(phone).status_code == 202
    # the address's fifth request in the minute was its last
    assert "this address" in assert_limited(ask("+44 7700 900997"))["detail"]
