"""The web chat in headless Chromium (Debian's, driven by Playwright) against a real uvicorn server, at
desktop (1280×800) and phone (390×844) sizes: sign in with a one-time code, talk to the real assistant on
the scripted fake chat model, reload and find the conversation and its Confirm buttons again, confirm by
clicking; one turn at a time; introduction cards; feedback; an expired session that keeps what was typed;
the digest shown when the chat opens, and a button on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pydantic import SecretStr
from sqlalchemy import func, select

from assistant.llm.fake import FakeChatModel
from assistant.messages import InboundMessage, OutboundReply
from assistant.settings import Settings
from composition.channels import web_app
from composition.container import Layer8
from network import sign_in
from network.actor import Actor
from network.db import Database
from network.ids import utcnow
from network.models import Conversation, Deal, Message, PendingAction, WebSession
from network.services import referrals
from network.services.handoffs import Handoffs
from tests.channels.conftest import Harness as ChannelHarness
from tests.channels.conftest import open_harness
from tests.channels.test_web_digest import news_for, web_digests
from tests.harness import Harness
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
expect.set_options(timeout=30_000)  # a turn on a busy 2-core machine can take a while; no test waits longer
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def served(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[str, str, Database]]:
    """The app with the real assistant; returns (base url, Acme's subscriber id, db)."""
    chat = Harness(
        sqlite_db,
        script=[FakeChatModel.call("record_deal", amount="£2,400", referrer="Bob")],  # the server replies
    )
    bob = chat.subscriber("Bob Bookkeeping")
    acme = chat.subscriber("Acme Plumbing")
    with sqlite_db.transaction(Actor.admin("test")) as session:
        referrals.log_referral(session, bob, acme, prospect_name="Jane's Cafe")
    settings = Settings(_env_file=None, database_url=sqlite_db.url, home=tmp_path, env="test")  # type: ignore[call-arg]
    settings.admin_token = SecretStr("unused-admin-token-for-tests")
    container = Layer8(settings)
    container.db = sqlite_db
    container.assistant = chat.assistant
    with AppServer(web_app(container)) as server:
        yield server.url, acme, sqlite_db


@pytest.fixture
def scripted(sqlite_db: Database, tmp_path: Path) -> Iterator[ChannelHarness]:
    """The app with a deterministic fake assistant."""
    with open_harness(sqlite_db, tmp_path) as harness:
        yield harness


def code(db: Database, subscriber_id: str) -> str:
    with db.transaction(Actor.admin("test")) as session:
        return sign_in.issue_for_subscriber(session, subscriber_id, issued_by="test", sent_via="cli").code


def open_chat(browser: Any, url: str, size: str) -> Any:
    page = browser.new_context(viewport=SIZES[size]).new_page()  # a fresh browser profile, its own cookies
    page.set_default_timeout(15_000)
    page.goto(url + "/chat")
    page.wait_for_selector("#sign-in:not([hidden])")
    return page


def sign_in_with(page: Any, value: str) -> None:
    page.fill("#code", value)
    page.click("#sign-in-button")
    page.wait_for_selector("#chat:not([hidden])")


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("size", list(SIZES))
def test_sign_in_with_a_code_reload_keeps_the_conversation_and_its_confirm_button(
    browser: Any, served: tuple[str, str, Database], size: str
) -> None:
    url, acme, db = served
    earlier_talk(db, acme)  # a long thread: the newest reply is far below the first screen
    page = open_chat(browser, url, size)
    shot(page, f"chat-sign-in-{size}")
    page.fill("#code", "ABCD-EFGH")
    page.click("#sign-in-button")
    expect(page.locator("#sign-in-error")).to_contain_text("not valid")

    sign_in_with(page, code(db, acme))
    assert "Acme Plumbing" in page.inner_text("#who")
    expect(page.locator("#sign-in")).to_be_hidden()  # the sign-in card really goes away
    expect(page.locator("#code")).to_be_hidden()

    page.fill("#message", "we closed £2,400 with Jane's Cafe thanks to Bob")
    page.keyboard.press("Enter")
    confirm = page.locator(".msg.assistant .actions button.action", has_text="Confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_be_in_viewport()  # the view follows the newest reply, even on a phone
    assert _count(db, Deal) == 0 and _count(db, PendingAction) == 1

    page.reload()  # a new load of the page: the session cookie and the conversation are still there
    page.wait_for_selector("#chat:not([hidden])")
    expect(page.locator(".msg.user").last).to_have_text("we closed £2,400 with Jane's Cafe thanks to Bob")
    expect(page.locator(".msg.user")).to_have_count(13)
    expect(confirm).to_be_in_viewport()
    shot(page, f"chat-confirm-{size}")

    second_tab = page.context.new_page()  # a new tab of the same browser needs no new code
    second_tab.goto(url + "/chat")
    second_tab.wait_for_selector("#chat:not([hidden])")
    expect(second_tab.locator(".msg.assistant .actions button.action", has_text="Confirm")).to_be_visible()
    second_tab.close()

    confirm.click()
    expect(page.locator(".msg.assistant").last).to_contain_text("recorded")
    assert _count(db, Deal) == 1
    page.reload()
    page.wait_for_selector("#chat:not([hidden])")
    expect(page.locator(".msg.assistant").last).to_contain_text("recorded")
    assert page.locator("button.action").count() == 0  # decided: the buttons are not drawn again
    page.context.close()


def earlier_talk(db: Database, subscriber_id: str, turns: int = 12) -> None:
    with db.transaction(Actor.subscriber(subscriber_id)) as session:
        conversation = Conversation(
            subscriber_id=subscriber_id, channel="web", thread_key=f"web:{subscriber_id}:main"
        )
        session.add(conversation)
        session.flush()
        for n in range(turns):
            said = [
                ("user", f"Question {n + 1} about my plumbing business?"),
                ("assistant", "An answer.\n" * 3),
            ]
            for offset, (role, text) in enumerate(said):
                session.add(
                    Message(conversation_id=conversation.id, seq=2 * n + offset + 1, role=role, content=text)
                )


def _count(db: Database, model: type[Any]) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class Gate:
    """The fake assistant, holding every turn until the test opens the gate (no timing in the test)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.opened = threading.Event()

    def handle(self, msg: InboundMessage) -> OutboundReply:
        self.opened.wait(30)
        reply: OutboundReply = self.inner.handle(msg)
        return reply

    def stream(self, msg: InboundMessage) -> Iterator[str | OutboundReply]:
        self.opened.wait(30)
        yield from self.inner.stream(msg)


def test_enter_during_a_pending_turn_does_nothing(browser: Any, scripted: ChannelHarness) -> None:
    gate = Gate(scripted.assistant)
    scripted.container.assistant = gate  # type: ignore[assignment]
    acme = scripted.subscriber()
    page = open_chat(browser, str(scripted.http.base_url), "phone")
    sign_in_with(page, code(scripted.db, acme))
    page.fill("#message", "first question")
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#typing")).to_be_visible()
    expect(page.locator("#send")).to_be_disabled()
    page.fill("#message", "second question")
    page.keyboard.press("Enter")
    shot(page, "chat-typing-phone")
    gate.opened.set()
    expect(page.locator(".msg.assistant .text")).to_have_text("You said: first question")
    expect(page.locator("#messages")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#typing")).to_be_hidden()
    expect(page.locator(".msg.user")).to_have_count(1)
    assert [m.text for m in scripted.assistant.seen] == ["first question"]
    expect(page.locator("#message")).to_have_value("second question")  # kept, to send when ready
    page.context.close()


def test_sources_are_shown_in_words(browser: Any, scripted: ChannelHarness) -> None:
    acme = scripted.subscriber()
    page = open_chat(browser, str(scripted.http.base_url), "desktop")
    sign_in_with(page, code(scripted.db, acme))
    page.fill(
        "#message", "Chase late payers.\n\nSources: [cash-flow#late-payers], [pricing#price-rises-part-2]"
    )
    page.keyboard.press("Enter")
    expect(page.locator(".msg.assistant .text")).to_have_text(
        "You said: Chase late payers.\n\nSources: Cash flow › Late payers, Pricing › Price rises"
    )
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_introduction_cards_act_and_feedback_shows_the_choice(
    browser: Any, scripted: ChannelHarness, size: str
) -> None:
    acme = scripted.subscriber()
    page = open_chat(browser, str(scripted.http.base_url), size)
    sign_in_with(page, code(scripted.db, acme))
    page.fill("#message", "any matches for me?")
    page.keyboard.press("Enter")
    cards = page.locator(".suggestion")
    expect(cards).to_have_count(3)
    expect(cards.nth(0).locator("h3")).to_have_text("Business 1")
    cards.nth(0).get_by_role("button", name="Not now").click()
    expect(cards.nth(0)).to_have_text("Not now: Business 1")

    helpful = page.locator(".msg.assistant").first.get_by_role("button", name="Helpful", exact=True)
    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    assert helpful.locator("svg path").count() == 1  # drawn, not an emoji that needs a font
    shot(page, f"chat-suggestions-{size}")

    cards.nth(1).get_by_role("button", name="Introduce").click()
    expect(page.locator(".msg.user").last).to_have_text("Introduce me to Business 2")
    expect(page.locator(".msg.assistant").last).to_contain_text("You said: Introduce me to Business 2")
    assert scripted.assistant.seen[-1].text == "Introduce me to Business 2"
    page.context.close()


def test_an_expired_session_keeps_the_typed_text(browser: Any, scripted: ChannelHarness) -> None:
    acme = scripted.subscriber()
    page = open_chat(browser, str(scripted.http.base_url), "desktop")
    sign_in_with(page, code(scripted.db, acme))
    with scripted.db.transaction(Actor.admin("test")) as session:
        for row in session.scalars(select(WebSession)):
            row.expires_at = utcnow() - timedelta(seconds=1)
    page.fill("#message", "a long message I typed carefully")
    page.keyboard.press("Enter")
    expect(page.locator("#sign-in-note")).to_contain_text("session has ended")
    assert scripted.assistant.seen == []
    sign_in_with(page, code(scripted.db, acme))
    expect(page.locator("#message")).to_have_value("a long message I typed carefully")
    page.context.close()


def test_a_support_agent_s_reply_appears_in_a_handed_off_web_chat(
    browser: Any, served: tuple[str, str, Database]
) -> None:
    url, acme, db = served
    page = open_chat(browser, url, "desktop")
    sign_in_with(page, code(db, acme))
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
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_digest_shows_when_the_chat_opens_and_its_button_acts(
    browser: Any, scripted: ChannelHarness, size: str
) -> None:
    acme = scripted.subscriber()
    news_for(scripted, acme)  # Pennine Mills asked to be introduced: a digest is due
    page = open_chat(browser, str(scripted.http.base_url), size)
    sign_in_with(page, code(scripted.db, acme))
    card = page.locator(".msg.digest")
    expect(card).to_contain_text("Pennine Mills asked to be introduced to you")
    expect(card).to_be_in_viewport()
    (shown,) = web_digests(scripted)
    assert shown.opened_at is not None and shown.acted_at is None
    shot(page, f"chat-digest-{size}")

    card.get_by_role("button", name="Accept introduction").click()
    expect(page.locator(".msg.user").last).to_have_text("Accept introduction")
    expect(page.locator(".msg.assistant").last).to_contain_text("Done: accept_intro")
    assert web_digests(scripted)[0].acted_at is not None
    page.reload()  # shown once: not again
    page.wait_for_selector("#chat:not([hidden])")
    expect(page.locator(".msg.assistant").last).to_contain_text("Done: accept_intro")
    expect(page.locator(".msg.digest")).to_have_count(0)
    page.context.close()
