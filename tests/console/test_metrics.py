"""Metrics worked out by hand on a small network (``activity.py``), on SQLite and PostgreSQL; the same
figures from ``GET /v1/metrics``, ``layer8 metrics --json`` and on the dashboard page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import console as console_cli
from composition.container import Layer8
from network import metrics
from network.db import Database
from network.metrics import MetricsQuery, period_of
from tests.console.activity import END, START, Activity, seed_activity
from tests.console.helpers import Net, sign_in


@pytest.fixture
def activity(container: Layer8) -> Activity:
    return seed_activity(container.db)


def _compute(db: Database, region: str | None = None) -> metrics.Metrics:
    with db.read() as session:
        # the API and the CLI take the ARPU from the settings (LAYER8_ARPU_MINOR, default 4500)
        query = MetricsQuery(start=START, end=END, region=region, arpu_minor=4500)
        return metrics.compute(session, query)


def test_the_whole_network_in_october(container: Layer8, activity: Activity) -> None:
    m = _compute(container.db)
    assert m.granularity == "day" and len(m.periods) == 31 and m.periods[0] == "2026-10-01"
    assert [(s.stage, s.count) for s in m.funnel] == [
        ("suggested", 5),
        ("requested", 4),
        ("accepted", 1),
        ("referral", 3),
        ("won", 1),
    ]
    assert [(a.period, a.currency, a.amount_minor, a.count) for a in m.closed_business] == [
        ("2026-10-05", "GBP", 240000, 1),
        ("2026-10-20", "EUR", 5000, 1),
        ("2026-10-20", "GBP", 10000, 1),
    ]
    assert [(a.period, a.amount_minor) for a in m.incentives_earned] == [
        ("2026-10-06", 24000),
        ("2026-10-21", 1000),
    ]
    assert [(a.period, a.amount_minor) for a in m.incentives_paid] == [("2026-10-06", 24000)]
    e = m.engagement
    assert (e.subscribers, e.active, e.dormant, e.new_in_period) == (4, 2, 2, 2)
    r = m.rates
    assert (r.requested, r.accepted, r.declined, r.expired) == (4, 1, 1, 1)
    assert r.acceptance_rate == pytest.approx(1 / 3, abs=1e-4)
    assert (r.assistant_messages, r.rated, r.positive) == (5, 3, 2)
    assert r.feedback_rate == pytest.approx(0.6) and r.positive_rate == pytest.approx(2 / 3, abs=1e-4)
    assert [(i.naics_code, i.deals, i.subscribers, i.value_minor) for i in m.top_industries] == [
        ("311811", 1, 1, {"GBP": 240000}),
        ("311211", 1, 1, {"GBP": 10000}),
        ("424410", 1, 1, {"EUR": 5000}),
    ]
    assert [(c.from_code, c.to_code, c.deals, c.introductions) for c in m.supply_chains] == [
        ("311811", "311211", 1, 1),
        ("311211", "311811", 1, 0),
        ("311811", "424410", 1, 0),
    ]


def test_one_region(container: Layer8, activity: Activity) -> None:
    m = _compute(container.db, region="west yorkshire")
    assert [s.count for s in m.funnel] == [4, 4, 1, 2, 1]
    assert [(a.currency, a.amount_minor) for a in m.closed_business] == [("GBP", 240000), ("GBP", 10000)]
    assert (m.engagement.subscribers, m.engagement.active) == (3, 2)
    assert (m.rates.assistant_messages, m.rates.rated, m.rates.positive) == (4, 3, 2)
    assert [i.naics_code for i in m.top_industries] == ["311811", "311211"]
    north = _compute(container.db, region="North Yorkshire")
    assert [s.count for s in north.funnel] == [1, 0, 0, 1, 0]
    assert north.rates.acceptance_rate is None and north.rates.feedback_rate == 0.0
    with container.db.read() as session:
        assert metrics.regions(session) == ["North Yorkshire", "West Yorkshire"]


def test_periods_by_day_week_and_month() -> None:
    assert period_of(date(2026, 11, 26), "week") == "2026-11-23"
    assert period_of(date(2026, 11, 26), "month") == "2026-11"
    long = MetricsQuery(start=date(2026, 1, 1), end=date(2026, 12, 31))
    weeks = MetricsQuery(start=date(2026, 9, 1), end=date(2026, 11, 30))
    assert metrics._granularity(long.start, long.end) == "month"
    assert metrics._granularity(weeks.start, weeks.end) == "week"
    assert metrics._periods(long.start, long.end, "month")[-1] == "2026-12"
    with pytest.raises(Exception, match="ends before"):
        MetricsQuery(start=date(2026, 2, 1), end=date(2026, 1, 1))


def test_the_api_gives_the_same_figures_to_staff_only(
    client: TestClient, container: Layer8, net: Net, activity: Activity
) -> None:
    params = {"from": "2026-10-01", "to": "2026-10-31", "region": "West Yorkshire"}
    response = client.get("/v1/metrics", params=params, headers={"Authorization": f"Bearer {net.alice}"})
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(_compute(container.db, "West Yorkshire").model_dump_json())
    refused = client.get("/v1/metrics", headers={"Authorization": f"Bearer {net.subscriber_token}"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert client.get("/v1/metrics").status_code == 401
    bad = client.get(
        "/v1/metrics", params={"from": "2026-10-31", "to": "2026-10-01"}, headers=response.request.headers
    )
    assert bad.status_code == 422


def test_the_dashboard_shows_them_as_charts_with_tables(
    client: TestClient, net: Net, activity: Activity
) -> None:
    sign_in(client, net.alice)
    page = client.get("/console/dashboard", params={"from": "2026-10-01", "to": "2026-10-31"})
    assert page.status_code == 200
    html = page.text
    assert html.count('role="img"') >= 7 and "<title id=" in html and "Data table" in html
    assert "2,500.00 GBP" in html  # 2,400 + 100 closed in October
    assert "Retail Bakeries → Flour Milling" in html
    assert '<option value="West Yorkshire"' in html
    assert "Content-Security-Policy" in page.headers


@pytest.fixture
def cli(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    get_settings.cache_clear()
    app = typer.Typer()
    console_cli.register(app)
    yield app
    get_settings.cache_clear()


def test_the_cli_prints_the_same_json(cli: typer.Typer, db: Database, activity: Activity) -> None:
    result = CliRunner().invoke(cli, ["metrics", "--json", "--from", "2026-10-01", "--to", "2026-10-31"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(_compute(db).model_dump_json())
    table = CliRunner().invoke(cli, ["metrics", "--from", "2026-10-01", "--to", "2026-10-31"])
    assert table.exit_code == 0 and "Referral funnel" in table.output and "2,400.00 GBP" in table.output


def test_the_cli_opens_and_closes_cases(cli: typer.Typer, activity: Activity) -> None:
    opened = CliRunner().invoke(
        cli,
        [
            "case",
            "open",
            "--agent",
            "agent.alice",
            "--subscriber",
            activity.bakery,
            "--reason",
            "call",
            "--auth",
            "one-time code",
        ],
    )
    assert opened.exit_code == 0, opened.output
    case_id = opened.output.strip().splitlines()[0]
    listed = CliRunner().invoke(cli, ["case", "list", "--agent", "agent.alice"], env={"COLUMNS": "200"})
    assert case_id in listed.output
    closed = CliRunner().invoke(cli, ["case", "close", case_id, "--agent", "agent.alice"])
    assert closed.exit_code == 0 and "closed" in closed.output
