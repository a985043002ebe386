"""The console's outbound-webhooks page in headless Chromium against a real server: an admin sees the
registered endpoint with its scopes and its delivery log, filters the dead deliveries and retries one; an
agent is refused the page and has no link to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from composition.channels import web_app
from composition.container import Layer8
from network.actor import Actor
from network.db import Database
from network.models import OutboxMessage
from network.webhooks import endpoints
from tests.api.economy import Economy, seed_economy, wired_container
from tests.api.helpers import ADMIN_TOKEN
from tests.support import AppServer, chromium

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class Site:
    url: str
    economy: Economy
    delivery_id: str


@pytest.fixture
def site(sqlite_db: Database, tmp_path: Path) -> Iterator[Site]:
    layer8: Layer8 = wired_container(sqlite_db.url, tmp_path)
    economy = seed_economy(layer8.db)
    with layer8.db.transaction(Actor.admin("test")) as session:
        endpoint = endpoints.create(
            session,
            layer8.settings.tenant,
            "https://crm.example/hooks",
            ["referral.created", "introduction.accepted"],
            "CRM",
            scopes=["contacts"],
        )
        endpoint_id = endpoint.id
    with AppServer(web_app(layer8)) as server:
        body = {"receiver_id": economy.net.cafe, "prospect_name": "Northern Lofts"}
        headers = {"Authorization": f"Bearer {economy.net.acme_token}"}
        assert httpx.post(server.url + "/v1/referrals", json=body, headers=headers).status_code == 201
        with layer8.db.transaction(Actor.admin("test")) as session:  # as the relay leaves a hopeless one
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.correlation_id.contains(endpoint_id))
                .values(state="dead", attempts=12, last_error="HTTP 500")
            )
            delivery_id = session.query(OutboxMessage).filter(OutboxMessage.kind == "webhook").one().id
        yield Site(server.url, economy, delivery_id)
    layer8.close()


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()


def _sign_in(page: Any, site: Site, token: str) -> None:
    page.goto(site.url + "/console")
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_url(site.url + "/console")


def test_an_admin_sees_endpoints_and_deliveries_and_retries_a_dead_one(page: Any, site: Site) -> None:
    _sign_in(page, site, ADMIN_TOKEN)
    page.click("nav >> text=Webhooks")
    page.wait_for_url(site.url + "/console/webhooks")
    assert "https://crm.example/hooks" in page.inner_text("#endpoints")
    scopes = page.inner_text("#endpoints .scopes")
    assert "contacts" in scopes and "introduction.accepted carries contact details" in scopes
    page.select_option("#state", "dead")
    page.click("#filter")
    row = page.locator(f"#delivery-{site.delivery_id}")
    assert "referral.created" in row.inner_text() and "HTTP 500" in row.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console-webhooks-desktop.png"), full_page=True)
    row.get_by_role("button", name=f"Retry delivery {site.delivery_id}").click()
    page.wait_for_selector(".notice")
    assert "queued again" in page.inner_text(".notice")
    retried = page.locator(f"#delivery-{site.delivery_id}")
    assert "pending" in retried.inner_text() and retried.get_by_role("button").count() == 0


def test_an_agent_has_no_webhooks_page(page: Any, site: Site) -> None:
    _sign_in(page, site, site.economy.net.agent_token)
    assert page.locator("nav >> text=Webhooks").count() == 0
    response = page.goto(site.url + "/console/webhooks")
    assert response is not None and response.status == 403
