"""The dashboard's outcome cards — NPS trend, churn by engagement, retention curves, churn risk and traffic
lights — each chart with its data table, on the hand-worked network of ``tests/network/outcome_world.py``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from composition.container import Layer8
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
