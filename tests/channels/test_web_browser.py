"""The web chat in headless Chromium (Debian's, driven by Playwright) against a real uvicorn server and the
real assistant on the scripted fake chat model: sign in with a token, send a message, see the streamed reply,
and confirm the pending action it proposes by clicking its button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pydantic import SecretStr
from sqlalchemy import func, select

from assistant.llm.fake import FakeChatModel
from assistant.settings import Settings
from composition.channels import web_app
from composition.container import Layer8
from network import tokens
from network.actor import Actor
from network.db import Database
from network.models import Deal, PendingAction
from network.services import referrals
from tests.harness import Harness
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def served(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[str, str, Database]]:
    """The app with the real assistant; returns (base url, Acme's token, db)."""
    chat = Harness(
        sqlite_db,
        script=[FakeChatModel.call("record_deal", amount="£2,400", referrer="Bob")],  # the server replies
    )
    bob = chat.subscriber("Bob Bookkeeping")
    acme = chat.subscriber("Acme Plumbing")
    with sqlite_db.transaction(Actor.admin("test")) as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
        token = tokens.issue(session, "subscriber", subscriber_id=acme).token
    settings = Settings(_env_file=None, database_url=sqlite_db.url, home=tmp_path, env="test")  # type: ignore[call-arg]
    settings.admin_token = SecretStr("unused-admin-token-for-tests")
    container = Layer8(settings)
    container.db = sqlite_db
    container.assistant = chat.assistant
    with AppServer(web_app(container)) as server:
        yield server.url, token, sqlite_db


def chat_page(browser: Any, url: str) -> Any:
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.goto(url + "/chat")
    return page


def test_sign_in_chat_and_confirm_a_pending_action_by_clicking(
    browser: Any, served: tuple[str, str, Database]
) -> None:
    url, token, db = served
    page = chat_page(browser, url)

    page.fill("#token", "l8_wrong")
    page.click("#sign-in")
    page.wait_for_selector("#sign-in-error:not([hidden])")

    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_selector("#chat:not([hidden])")
    assert "Acme Plumbing" in page.inner_text("#who")

    page.fill("#message", "we closed £2,400 with Jane's Cafe thanks to Bob")
    page.click("#send")
    confirm = page.wait_for_selector(".msg.assistant .actions button.action:has-text('Confirm')")
    first_reply = page.locator(".msg.assistant").first.inner_text()
    assert "2,400" in first_reply and "nothing is recorded until you confirm" in first_reply
    assert _count(db, Deal) == 0 and _count(db, PendingAction) == 1

    confirm.click()
    # (no wait_for_function: the page's Content-Security-Policy forbids evaluating strings)
    expect(page.locator(".msg.assistant").nth(1)).to_contain_text("recorded", timeout=15_000)
    assert _count(db, Deal) == 1
    page.close()


def _count(db: Database, model: type[Any]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_support_agent_s_reply_appears_in_a_handed_off_web_chat(
    browser: Any, served: tuple[str, str, Database]
) -> None:
    from network.models import Conversation
    from network.services.handoffs import Handoffs

    url, token, db = served
    page = chat_page(browser, url)
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_selector("#chat:not([hidden])")
    page.fill("#message", "hello, I'd like to record a deal of £2,400 from Bob's referral")
    page.click("#send")
    page.wait_for_selector(".msg.assistant .actions")
    with db.transaction(Actor.admin("test")) as session:
        conversation = session.scalars(select(Conversation).where(Conversation.channel == "web")).one()
        conversation.mode = "handed_off"
        conversation_id = conversation.id
    Handoffs(db, "agent.alice").reply(conversation_id, "Alice from support: I can see your deal.")
    expect(page.locator(".msg.agent")).to_have_text(
        "Support team: Alice from support: I can see your deal.", timeout=15_000
    )
    assert page.locator(".msg.agent").count() == 1
    page.close()
