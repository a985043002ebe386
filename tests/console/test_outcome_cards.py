"""The dashboard's outcome cards — NPS trend, churn by engagement, retention curves, churn risk and traffic
lights — each chart with its data table, on the hand-worked network of ``tests/network/outcome_world.py``."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from composition.container import Layer8
from network.ids import utcnow
from network.models import Deal, Introduction
from tests.console.helpers import Net, sign_in
from tests.network.outcome_world import build


def test_the_outcome_cards_show_charts_and_tables(container: Layer8, client: TestClient, net: Net) -> None:
    build(container.db)
    sign_in(client, net.alice)
    page = client.get("/console/dashboard", params={"from": "2026-10-01", "to": "2026-11-30"})
    assert page.status_code == 200
    html = page.text
    for chart in ("nps", "churn", "retention", "lights"):
        assert f'aria-labelledby="{chart}-t {chart}-d"' in html
    for table in ("nps-table", "churn-table", "retention-table", "lights-table", "risk-table"):
        assert f'id="{table}"' in html
    assert "2026-10: +75.0" in html and "2026-11: -100.0" in html  # the NPS by month, signed
    assert "2026-10 not engaged: 66.7%" in html
    assert "2026-08: 60% still members at day 81" in html
    assert "association, not proof" in html and "127.50 GBP" in html  # 2.83 × 45.00 GBP
    assert ">Golf</a></th><td>no activity in the last 30 days; scored the operator 6 or less" in html


def test_an_agent_sees_a_subscribers_traffic_light_with_the_rule(
    container: Layer8, client: TestClient, net: Net
) -> None:
    ids = build(container.db)
    with (
        container.db.transaction() as session
    ):  # Delta's deal and one-to-one ten days ago, whenever this runs
        ago = utcnow() - timedelta(days=10)
        session.execute(update(Deal).values(closed_on=ago.date()))
        session.execute(update(Introduction).values(created_at=ago, decided_at=ago))
    sign_in(client, net.alice)
    page = client.get(f"/console/subscribers/{ids['D']}")
    assert page.status_code == 200
    # Delta's six months up to now: one one-to-one and one deal (2 points) → 3 points
    assert 'id="light" class="light-amber">amber<' in page.text
    assert (
        "3 points in six months: 0 referrals given, 1 one-to-ones, 1 deals, 0 events attended. "
        "3 more for the next colour." in page.text
    )
    assert "Green 6 or more, amber 3–5" in page.text
