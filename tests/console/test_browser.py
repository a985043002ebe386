"""The console in headless Chromium (Debian's, driven by Playwright) against a real uvicorn server and a
temporary SQLite database: sign in as an agent, find a subscriber, open a case, record a deal on their
behalf, see it in the audit trail and on the dashboard; without a case the act is refused; the main page
works with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from composition.channels import web_app
from network.db import Database
from tests.console.helpers import Net, make_container, seed
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Site:
    url: str
    net: Net


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def site(sqlite_db: Database, tmp_path: Path) -> Iterator[Site]:
    container = make_container(sqlite_db.url, tmp_path)
    net = seed(container.db)
    with AppServer(web_app(container)) as server:
        yield Site(server.url, net)
    container.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def _sign_in(page: Any, site: Site, token: str) -> None:
    page.goto(site.url + "/console")
    assert "/console/sign-in" in page.url
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_url(site.url + "/console")


def _find(page: Any, name: str) -> None:
    page.fill("#q", name)
    page.click("#search")
    page.click(f"table.results a:has-text('{name}')")
    page.wait_for_selector("#subscriber-name")


def test_sign_in_find_open_a_case_record_a_deal_and_see_it_audited_and_on_the_dashboard(
    page: Any, site: Site
) -> None:
    page.goto(site.url + "/console/sign-in")
    page.fill("#token", "l8_wrong")
    page.click("#sign-in")
    assert "not a valid" in page.inner_text("#sign-in-error")
    _sign_in(page, site, site.net.alice)
    _find(page, "Acme Plumbing")
    assert page.is_visible("#acting-refused") and page.locator("#deal-form").count() == 0

    page.fill("#case-reason", "Customer called about a closed deal")
    page.select_option("#open-auth", "one-time code")
    page.click("#open-case")
    assert "Case opened." in page.inner_text(".notice")
    case_id = page.inner_text("#case-id")
    assert page.inner_text("#case-auth") == "one-time code"

    page.fill("#deal-amount", "2400")
    page.fill("#deal-description", "boiler installation")
    page.click("#record-deal")
    assert "Deal recorded" in page.inner_text(".notice")
    deals = page.inner_text("section[aria-labelledby=deal-title] table")
    assert "2,400.00 GBP" in deals and "agent:agent.alice" in deals
    audit = page.inner_text("#audit")
    row = page.locator("#audit tr", has_text="on_behalf.deal_recorded")
    assert row.count() == 1 and "agent: agent.alice" in row.inner_text() and case_id in row.inner_text()
    assert "deals.created" in audit and "incentives.created" in audit

    page.click("nav.site-nav >> text=Dashboard")
    page.wait_for_selector("#funnel-table", state="attached")
    assert page.inner_text("#total-GBP") == "2,400.00 GBP"
    assert page.locator("svg[role=img]").count() >= 7
    page.click("text=Data table >> nth=0")
    assert "won" in page.inner_text("#funnel-table")

    page.go_back()
    page.click("#close-case")
    assert "Case closed." in page.inner_text(".notice")


def test_an_agent_without_an_open_case_is_refused(page: Any, site: Site) -> None:
    _sign_in(page, site, site.net.bob)
    _find(page, "Acme Plumbing")
    assert "needs an open case" in page.inner_text("#acting-refused")
    # a hand-made form posting a deal for Acme, as a tampered page would
    with page.expect_navigation():
        page.evaluate(
            """([csrf, referral]) => {
              const form = document.createElement('form');
              form.method = 'post';
              form.action = location.pathname + '/deals';
              const values = {csrf, source: 'referral:' + referral, amount: '99', currency: 'GBP',
                              closed_on: new Date().toISOString().slice(0, 10),
                              idempotency_key: 'tampered-1'};
              for (const [name, value] of Object.entries(values)) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value; form.appendChild(input);
              }
              document.body.appendChild(form);
              form.submit();
            }""",
            [page.input_value("input[name=csrf] >> nth=0"), site.net.referral],
        )
    assert page.inner_text("h1") == "Not allowed"
    assert "open a case" in page.inner_text("[role=alert]")
    page.goto(page.url.rsplit("/deals", 1)[0])
    assert "No deals yet." in page.inner_text("section[aria-labelledby=deal-title]")


def _focused(page: Any) -> str:
    return str(
        page.evaluate(
            """() => { const e = document.activeElement;
                 const text = (e.innerText || e.value || '').trim().slice(0, 40);
                 return e.tagName.toLowerCase() + '#' + (e.id || '') + '|' + text + '|'
                   + getComputedStyle(e).outlineStyle; }"""
        )
    )


def test_the_main_page_works_with_the_keyboard_alone(page: Any, site: Site) -> None:
    page.goto(site.url + "/console/sign-in")
    page.keyboard.press("Tab")
    assert _focused(page).startswith("a#|Skip to main content|solid")
    page.keyboard.press("Tab")  # the brand link
    page.keyboard.press("Tab")
    assert _focused(page).startswith("input#code")  # a one-time code first, then the agent token
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page).startswith("input#token")
    page.keyboard.type(site.net.alice)
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/console")

    page.keyboard.press("Tab")
    assert _focused(page).startswith("a#|Skip to main content")
    page.keyboard.press("Enter")
    seen = []
    for _ in range(5):  # the search form, then the handoff queue link: the last stop on the page
        page.keyboard.press("Tab")
        seen.append(_focused(page))
    ids = [entry.split("|")[0] for entry in seen]
    assert ids[:5] == ["input#q", "input#industry", "input#place", "button#search", "a#"]
    assert all(entry.endswith("|solid") for entry in seen), seen  # every stop shows a focus ring

    page.focus("#q")
    page.keyboard.type("Acme")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.results")
    link = page.locator("table.results a", has_text="Acme Plumbing")
    for _ in range(20):  # past the header, the form and the scrollable table region
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Acme Plumbing":
            break
    assert link.evaluate("e => e === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_selector("#subscriber-name")
    page.focus("#case-reason")
    page.keyboard.type("Keyboard-only case")
    page.keyboard.press("Tab")
    assert _focused(page).startswith("select#open-auth")
    page.keyboard.press("ArrowDown")  # "Security question"
    page.keyboard.press("Tab")
    assert _focused(page).startswith("input#open-auth-other")
    page.keyboard.press("Tab")
    assert _focused(page).startswith("button#open-case")
    page.keyboard.press("Enter")
    page.wait_for_selector(".notice")
    assert page.inner_text("#case-auth") == "security question"
