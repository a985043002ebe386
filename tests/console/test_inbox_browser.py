"""The inbox in headless Chromium against a real server: the navigation's count follows handoffs live and
announces a new one; Ctrl+Enter sends a reply and "n" opens the next waiting conversation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from composition.channels import web_app
from composition.container import Layer8
from network.actor import Actor
from network.conversations import add_message, open_conversation
from network.db import Database
from network.services.handoffs import hand_off
from tests.console.helpers import Net, make_container, seed
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def served(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[str, Layer8, Net]]:
    container = make_container(sqlite_db.url, tmp_path)
    net = seed(container.db)
    with AppServer(web_app(container)) as server:
        yield server.url, container, net
    container.close()


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_the_inbox_updates_live_and_the_keyboard_replies_and_moves_on(
    browser: Any, served: tuple[str, Layer8, Net], viewport: tuple[int, int]
) -> None:
    from playwright.sync_api import expect  # only the browser tests need Playwright

    url, container, net = served
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url + "/console")
    page.fill("#token", net.alice)
    page.click("#sign-in")
    page.wait_for_url(url + "/console")
    page.goto(url + "/console/handoffs")
    expect(page.locator("#waiting-count")).to_have_text("(1)")
    assert page.is_hidden("#handoff-alert")

    with container.db.transaction(Actor.subscriber(net.cafe)) as session:
        conversation = open_conversation(session, "web", "web:cafe", net.cafe)
        add_message(session, conversation, "user", "I need a person please")
        hand_off(session, conversation, "They asked for a person")
        second = conversation.id
    expect(page.locator("#waiting-count")).to_have_text("(2)", timeout=15_000)
    expect(page.locator("#handoff-alert")).to_be_visible()

    page.goto(f"{url}/console/conversations/{net.conversation}")
    page.click("#pick-up")
    page.fill("#reply-text", "Hello from Alice")
    page.press("#reply-text", "Control+Enter")
    page.wait_for_selector(".notice:has-text('Reply sent.')")
    assert "Hello from Alice" in page.inner_text(".messages")
    page.click("h1")  # leave the reply box, so "n" is a shortcut and not a letter
    page.keyboard.press("n")
    page.wait_for_url(f"{url}/console/conversations/{second}")
    context.close()
