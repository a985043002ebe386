"""The dashboard's events, one-to-ones and digest card: its figures in ``GET /v1/metrics`` and
``layer8 metrics --json``, the chart with its data table, and (in headless Chromium) the card opened, with
screenshots in docs/screenshots/ (gatherings-desktop.png, gatherings-phone.png)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import console as console_cli
from composition.channels import web_app
from composition.container import Layer8
from network.db import Database
from network.models import DigestDelivery, EventOneToOne
from network.services import events, introductions
from tests.console.helpers import Net, make_container, seed, sign_in
from tests.support import AppServer, chromium

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DAY = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


def build(db: Database, net: Net) -> None:
    """One event in November: three said yes, two came; one one-to-one, accepted, its time agreed; four
    digests (two on WhatsApp, one read, one answered; two on Slack, one button pressed)."""
    new = events.NewEvent(title="Leeds breakfast", starts_at=DAY, capacity=10, place="Corn Exchange")
    with db.transaction() as session:
        event, code = events.create(session, new, created_by="test")
        event_id = event.id
    with db.transaction() as session:
        for who in (net.acme, net.cafe, net.books):
            events.rsvp(session, event_id, who, going=True)
        for who in (net.acme, net.cafe):
            events.check_in(session, event_id, who, by="code", code=code)
        intro = introductions.suggest(session, net.acme, net.cafe, score=1.0, parts={}, reasons=[])
        intro.state, intro.decided_at = "accepted", DAY + timedelta(days=1)
        session.add(
            EventOneToOne(
                event_id=event_id,
                introduction_id=intro.id,
                created_at=DAY + timedelta(hours=3),
                follow_up_due_at=DAY + timedelta(days=8),
                proposed_time="2026-11-12T10:00+00:00",
                agreed_at=DAY + timedelta(days=1),
            )
        )
        sent = DAY + timedelta(days=2)
        for who, channel, opened, acted in (
            (net.acme, "whatsapp", True, False),
            (net.cafe, "whatsapp", True, True),
            (net.books, "slack", False, False),
            (net.acme, "slack", True, True),
        ):
            session.add(
                DigestDelivery(
                    subscriber_id=who,
                    sent_at=sent,
                    channel=channel,
                    items=[],
                    opened_at=sent if opened else None,
                    acted_at=sent if acted else None,
                )
            )


EXPECTED = {
    "attendance": {"events": 1, "invited": 3, "said_yes": 3, "attended": 2, "attendance_rate": 0.667},
    "one_to_ones": {"suggested": 1, "accepted": 1, "time_agreed": 1, "followed_up": 0},
    "digest": {
        "sent": 4,
        "opened": 3,
        "acted": 2,
        "opened_rate": 1.0,
        "acted_rate": 0.5,
        "by_channel": {
            "slack": {"sent": 2, "opened": 1, "acted": 1},
            "whatsapp": {"sent": 2, "opened": 2, "acted": 1},
        },
    },
}


def test_the_card_and_the_api_agree(container: Layer8, client: TestClient, net: Net) -> None:
    build(container.db, net)
    api = client.get("/v1/metrics", params=PERIOD, headers={"Authorization": f"Bearer {net.alice}"})
    assert api.status_code == 200, api.text
    figures = {k: v for k, v in api.json()["gatherings"].items() if k != "rule"}
    assert figures == EXPECTED

    sign_in(client, net.alice)
    html = client.get("/console/dashboard", params=PERIOD).text
    assert 'aria-labelledby="gatherings-t gatherings-d"' in html and 'id="gatherings-table"' in html
    assert "Came (checked in): 2" in html and "Digests acted on: 2" in html
    assert '<td class="num">2</td><td class="num">67%</td>' in html  # came, of those who said yes


def test_layer8_metrics_json_has_the_same_figures(
    container: Layer8, net: Net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(container.db, net)
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", container.db.url)
    get_settings.cache_clear()
    cli = typer.Typer()
    console_cli.register(cli)
    try:
        result = CliRunner().invoke(
            cli, ["metrics", "--from", PERIOD["from"], "--to", PERIOD["to"], "--json"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    gatherings = json.loads(result.output)["gatherings"]
    assert {k: v for k, v in gatherings.items() if k != "rule"} == EXPECTED


@pytest.fixture
def site(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[str, Net]]:
    container = make_container(sqlite_db.url, tmp_path)
    net = seed(container.db)
    build(container.db, net)
    with AppServer(web_app(container)) as server:
        yield server.url, net
    container.close()


@pytest.mark.browser
def test_the_card_in_chromium(site: tuple[str, Net]) -> None:
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
            page.goto(url + "/console/dashboard?from=2026-11-01&to=2026-11-30", timeout=90_000)
            card = page.locator("figure:has(#gatherings-cap)")
            card.scroll_into_view_if_needed()
            assert card.locator("svg").is_visible()
            card.locator("summary").click()
            table = page.locator("#gatherings-table")
            assert table.is_visible()
            assert table.get_by_text("67%").is_visible()
            SHOTS.mkdir(parents=True, exist_ok=True)
            card.screenshot(path=str(SHOTS / f"gatherings-{kind}.png"))
            context.close()
