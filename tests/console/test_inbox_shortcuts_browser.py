"""The inbox's live hooks and keyboard in headless Chromium at 1280×800 and 390×844: desktop notifications
are asked for on a click (never on load), a new handoff raises the count in the title and navigation and
shows a notification; "?" lists the shortcuts, j / k move through the inbox and between conversations, and
letters typed in the reply box stay letters. (Ctrl+Enter and the live count: ``test_inbox_browser.py``.)

The browser's Notification API is replaced by a recording stand-in: headless Chromium shows none, and the
permission prompt cannot be clicked."""

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

NOTIFICATIONS = """
(() => {
  const shown = [];
  let permission = "default", asked = 0;
  class RecordingNotification {
    constructor(title, options) { shown.push({ title, body: (options || {}).body }); }
    static get permission() { return permission; }
    static requestPermission() { asked += 1; permission = "granted"; return Promise.resolve(permission); }
  }
  window.Notification = RecordingNotification;
  window.__notifications = { shown, asked: () => asked };
})();
"""


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


def _hand_off(container: Layer8, subscriber_id: str, thread: str) -> str:
    with container.db.transaction(Actor.subscriber(subscriber_id)) as session:
        conversation = open_conversation(session, "web", thread, subscriber_id)
        add_message(session, conversation, "user", "I need a person please")
        hand_off(session, conversation, "They asked for a person")
        return conversation.id


def _page(browser: Any, url: str, net: Net, viewport: tuple[int, int]) -> Any:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    context.add_init_script(NOTIFICATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url + "/console")
    page.fill("#token", net.alice)
    page.click("#sign-in")
    page.wait_for_url(url + "/console")
    return page


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_a_new_handoff_counts_in_the_title_and_notifies_once_the_agent_allowed_it(
    browser: Any, served: tuple[str, Layer8, Net], viewport: tuple[int, int]
) -> None:
    from playwright.sync_api import expect  # only the browser tests need Playwright

    url, container, net = served
    page = _page(browser, url, net, viewport)
    page.goto(url + "/console/handoffs")
    expect(page).to_have_title("(1) Inbox · Layer8")
    button = page.locator("#notify-on")
    expect(button).to_be_visible()
    assert page.evaluate("window.__notifications.asked()") == 0  # never asked on load

    button.click()
    expect(page.locator("#notify-state")).to_have_text("Desktop notifications are on.")
    expect(button).to_be_hidden()
    assert page.evaluate("window.__notifications.asked()") == 1

    _hand_off(container, net.cafe, "web:cafe")
    expect(page).to_have_title("(2) Inbox · Layer8", timeout=15_000)
    expect(page.locator("#waiting-count")).to_have_text("(2)")
    expect(page.locator("#handoff-alert")).to_be_visible()
    shown = page.evaluate("window.__notifications.shown")
    assert shown == [{"title": "Layer8: a conversation was handed off", "body": "2 waiting for an agent"}]
    page.context.close()


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_question_mark_lists_the_shortcuts_and_j_k_move_between_conversations(
    browser: Any, served: tuple[str, Layer8, Net], viewport: tuple[int, int]
) -> None:
    from playwright.sync_api import expect

    url, container, net = served
    second = _hand_off(container, net.cafe, "web:cafe")
    third = _hand_off(container, net.books, "web:books")
    page = _page(browser, url, net, viewport)
    page.goto(url + "/console/handoffs")

    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Send the reply")
    expect(dialog).to_contain_text("Previous conversation")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.click("#show-shortcuts")  # the same list from a button, for the mouse
    expect(dialog).to_be_visible()
    page.click("#close-shortcuts")
    expect(dialog).to_be_hidden()

    links = page.locator(".queue h2 a")
    page.keyboard.press("j")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(links.nth(0)).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/console/conversations/{net.conversation}")

    page.keyboard.press("j")
    page.wait_for_url(f"{url}/console/conversations/{second}")
    page.keyboard.press("j")
    page.wait_for_url(f"{url}/console/conversations/{third}")
    page.keyboard.press("k")
    page.wait_for_url(f"{url}/console/conversations/{second}")

    page.click("#reply-text")  # typing: letters are letters
    page.keyboard.type("jk?")
    expect(page.locator("#reply-text")).to_have_value("jk?")
    expect(dialog).to_be_hidden()
    assert page.url == f"{url}/console/conversations/{second}"
    page.context.close()
