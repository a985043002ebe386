"""The outcome cards in headless Chromium: the dashboard draws the NPS trend, churn by engagement, the
retention curves, the traffic lights and the risk list, each data table opens; at 390×844 nothing widens the
page (a wide table scrolls inside its card, the risk list stacks its rows); screenshots of the cards go to
docs/screenshots/ (outcomes-desktop.png, outcomes-phone.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from composition.channels import web_app
from network.db import Database
from tests.console.helpers import Net, make_container, seed
from tests.network.outcome_world import build
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


# how wide the page is, each outcome table's wrapper against its card, and how a risk row is laid out
FITS = """() => {
  const tables = {};
  for (const id of ["nps-table", "churn-table", "retention-table", "lights-table", "risk-table"]) {
    const table = document.getElementById(id);
    const wrap = table.closest(".table-wrap");
    const card = table.closest(".card");
    tables[id] = [wrap.getBoundingClientRect().right, card.getBoundingClientRect().right];
  }
  const row = document.querySelector("#risk-table tbody tr");
  const risk = getComputedStyle(document.getElementById("risk-table")).display;
  return {page: document.documentElement.scrollWidth, tables, risk_row: getComputedStyle(row).display,
          risk_table: risk};
}"""


@pytest.fixture
def site(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[str, Net]]:
    container = make_container(sqlite_db.url, tmp_path)
    net = seed(container.db)
    build(container.db)
    with AppServer(web_app(container)) as server:
        yield server.url, net
    container.close()


def test_the_outcome_cards_in_chromium(site: tuple[str, Net]) -> None:
    url, net = site
    with chromium() as browser:
        for kind, viewport in (
            ("desktop", {"width": 1280, "height": 900}),
            ("phone", {"width": 390, "height": 844}),
        ):
            context = browser.new_context(viewport=viewport)
            page: Any = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(url + "/console")
            page.fill("#token", net.alice)
            page.click("#sign-in")
            page.wait_for_url(url + "/console")
            # the machine may be busy: the first dashboard also imports lifelines (pandas)
            page.goto(url + "/console/dashboard?from=2026-10-01&to=2026-11-30", timeout=90_000)
            for chart in ("nps", "churn", "retention", "lights"):
                assert page.locator(f"#{chart}-cap").is_visible()
            for chart in ("nps", "churn", "retention", "lights"):  # every data table open
                page.locator(f"#{chart}-cap").scroll_into_view_if_needed()
                page.locator(f"figure:has(#{chart}-cap) summary").click()
                assert page.locator(f"#{chart}-table").is_visible()
            assert page.locator("#risk-table").get_by_text("Golf").is_visible()
            fits = page.evaluate(FITS)
            # nothing widens the page; a table wider than its card scrolls inside its own wrapper
            assert fits["page"] <= viewport["width"], fits
            assert all(right <= card + 0.5 for right, card in fits["tables"].values()), fits
            # the churn-risk list: stacked rows on a phone (name, then why), a two-column table elsewhere
            assert fits["risk_row"] == ("block" if kind == "phone" else "table-row"), fits
            assert fits["risk_table"] == ("block" if kind == "phone" else "table"), fits
            top = page.evaluate(
                "document.querySelector('figure:has(#nps-cap)').getBoundingClientRect().top + window.scrollY"
            )
            bottom = page.evaluate(
                "document.querySelector('#risk-table').getBoundingClientRect().bottom + window.scrollY"
            )
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SHOTS / f"outcomes-{kind}.png"),
                full_page=True,
                clip={"x": 0, "y": top - 10, "width": viewport["width"], "height": bottom - top + 30},
            )
            context.close()
