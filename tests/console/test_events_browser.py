"""The console's events page in headless Chromium against a real server: create an event, invite (each
invitation with whom they would meet and why), check a guest in, close; screenshots for the docs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from network.services import events
from tests.console.helpers import Net, make_container, seed
from tests.events.builders import ScriptedMatcher
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def names(container: Layer8, net: Net) -> dict[str, str]:
    with container.db.read() as session:
        return events.names(session, [net.acme, net.cafe, net.books])


@pytest.fixture
def site(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[str, Net, Layer8]]:
    container = make_container(sqlite_db.url, tmp_path)
    net = seed(container.db)
    container.matcher = ScriptedMatcher(  # type: ignore[assignment]
        {
            net.acme: [(net.cafe, 0.9)],
            net.cafe: [(net.acme, 0.8), (net.books, 0.4)],
            net.books: [(net.cafe, 0.3)],
        },
        names=names(container, net),
        reason="{other_name} sells what you need, and buys what you sell; both of you are in Leeds.",
    )
    with AppServer(web_app(container)) as server:
        yield server.url, net, container
    container.close()


def test_an_agent_creates_invites_checks_in_and_closes(site: tuple[str, Net, Layer8]) -> None:
    url, net, container = site
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)  # a busy shared machine; the page itself is fast
        page.goto(url + "/console")
        page.fill("#token", net.alice)
        page.click("#sign-in")
        page.wait_for_url(url + "/console")
        page.click("nav >> text=Events")
        page.fill("#title", "Leeds breakfast")
        page.fill("#starts", "2031-01-14T08:00")
        page.fill("#where", "Corn Exchange, Leeds")
        page.fill("#capacity", "2")
        page.click("text=Create event")
        assert len(page.inner_text("#checkin-code")) == 6
        page.click("text=Invite the best-fitting subscribers")
        page.wait_for_selector("#invitations")
        assert "Jane's Café sells what you need" in page.inner_text("#invitations")
        event_id = page.url.split("/")[-1].split("?")[0]
        with container.db.transaction() as session:
            events.rsvp(session, event_id, net.acme, going=True)
            events.rsvp(session, event_id, net.cafe, going=True)
            events.rsvp(session, event_id, net.books, going=True)
        page.goto(url + f"/console/events/{event_id}")
        assert "2 going" in page.inner_text("#answers") and "1 waitlisted" in page.inner_text("#answers")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "console-events-desktop.png"), full_page=True)
        page.click("#invitations tr:has-text('Acme Plumbing') >> text=Check in")
        page.wait_for_selector("text=Guest checked in.")
        page.click("text=Close and suggest one-to-ones")
        page.wait_for_selector("text=one-to-one(s) suggested")
        assert "1 attended" in page.inner_text("#answers")
        context.close()
