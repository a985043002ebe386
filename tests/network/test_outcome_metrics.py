"""NPS, churn by engagement, Kaplan–Meier retention, the risk list and the traffic lights, worked out by
hand on a small network (``outcome_world.py``), match ``layer8 metrics --json`` exactly (SQLite and
PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import console as console_cli
from cli import nps as nps_cli
from network.db import Database
from network.outcomes import lights
from tests.network.outcome_world import build


@pytest.fixture
def figures(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    build(db)
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    monkeypatch.setenv("LAYER8_ARPU_MINOR", "4500")
    get_settings.cache_clear()
    app = typer.Typer()
    console_cli.register(app)
    result = CliRunner().invoke(app, ["metrics", "--json", "--from", "2026-10-01", "--to", "2026-11-30"])
    assert result.exit_code == 0, result.output
    yield json.loads(result.output)
    get_settings.cache_clear()


def group(key: str, asked: int, answers: int, p: int, n: int, d: int, *rest: float | None) -> dict[str, Any]:
    nps, low, high, rate = rest
    return {
        "key": key,
        "asked": asked,
        "answers": answers,
        "promoters": p,
        "passives": n,
        "detractors": d,
        "nps": nps,
        "ci_low": low,
        "ci_high": high,
        "response_rate": rate,
    }


def test_nps_by_hand(figures: dict[str, Any]) -> None:
    nps = figures["nps"]
    # 5 answers: 3 promoters, 1 passive, 1 detractor → 100 × (3 − 1) / 5 = 40;
    # se = sqrt((0.6 + 0.2 − 0.4²) / 5) = 0.35777, ± 1.96 × 35.777 = ± 70.12 → [−30.1, 100 (clipped)];
    # 6 asked in the period, 5 scored → 0.8333
    assert nps["overall"] == group("all", 6, 5, 3, 1, 1, 40.0, -30.1, 100.0, 0.8333)
    # October: 4 answers, 3 promoters → 75 ± 1.96 × 100 × sqrt((0.75 − 0.5625) / 4) = ± 42.44
    # November: one detractor → −100 with no spread; I was asked and did not answer → 0.5
    assert nps["by_period"] == [
        group("2026-10", 4, 4, 3, 1, 0, 75.0, 32.6, 100.0, 1.0),
        group("2026-11", 2, 1, 0, 0, 1, -100.0, -100.0, -100.0, 0.5),
    ]
    # sector 31 (A, B, D): all promoters; unknown (E 7, G 3, I unanswered): −50 ± 69.30
    assert nps["by_segment"] == [
        group("31", 3, 3, 3, 0, 0, 100.0, 100.0, 100.0, 1.0),
        group("unknown", 3, 2, 0, 1, 1, -50.0, -100.0, 19.3, 0.6667),
    ]


def test_churn_by_engagement_and_retained_revenue_by_hand(figures: dict[str, Any]) -> None:
    churn = figures["churn"]
    # October: A, B, C, D, E at its start; engaged A, D (referrals in September): none left;
    # not engaged B, C, E: B and C left. November: A, D, E, F, G, I, J; engaged A, D, G (G wrote on 10-20);
    # not engaged E, F, I, J: F and J left.
    assert churn["months"] == [
        {
            "month": "2026-10",
            "engaged": 2,
            "engaged_churned": 0,
            "engaged_rate": 0.0,
            "not_engaged": 3,
            "not_engaged_churned": 2,
            "not_engaged_rate": 0.6667,
        },
        {
            "month": "2026-11",
            "engaged": 3,
            "engaged_churned": 0,
            "engaged_rate": 0.0,
            "not_engaged": 4,
            "not_engaged_churned": 2,
            "not_engaged_rate": 0.5,
        },
    ]
    assert churn["churned_in_period"] == 4
    # avoided = (2/3 − 0) × 2 + (1/2 − 0) × 3 = 2.8333; × 4500 = 12750
    revenue = churn["retained_revenue"]
    assert (revenue["churn_avoided"], revenue["retained_minor"], revenue["currency"]) == (2.83, 12750, "GBP")
    assert "association, not proof" in revenue["statement"]


def test_risk_list_by_hand(figures: dict[str, Any]) -> None:
    risk = [(r["business_name"], r["reasons"]) for r in figures["churn"]["risk"]]
    # G: never active, latest score 3. A and D: 6 and 5 acts in the 45 days before 10-17, none after.
    # E, I, K: never active. Most reasons first, then by name.
    assert risk == [
        ("Golf", ["dormant", "detractor"]),
        ("Alpha", ["declining"]),
        ("Delta", ["declining"]),
        ("Echo", ["dormant"]),
        ("India", ["dormant"]),
        ("Kilo", ["dormant"]),
    ]
    assert figures["churn"]["risk"][0]["why"][1] == "scored the operator 6 or less in the last 180 days"


def point(day: int, at_risk: int, churned: int, survival: float) -> dict[str, Any]:
    return {"day": day, "at_risk": at_risk, "churned": churned, "survival": survival}


def test_kaplan_meier_curves_by_hand(figures: dict[str, Any]) -> None:
    cohorts = {c["cohort"]: c for c in figures["retention"]["cohorts"]}
    assert list(cohorts) == ["2026-08", "2026-10", "2026-11"]
    # August: B left on day 71, C on day 81; A, D, E followed 122 days → 4/5, then 4/5 × 3/4
    assert cohorts["2026-08"]["points"] == [point(0, 5, 0, 1.0), point(71, 5, 1, 0.8), point(81, 4, 1, 0.6)]
    # October: F left on day 30 (4 at risk), I censored at 31, G at 47, J left on day 40 (J and G at risk)
    assert cohorts["2026-10"]["points"] == [
        point(0, 4, 0, 1.0),
        point(30, 4, 1, 0.75),
        point(40, 2, 1, 0.375),
    ]
    assert (cohorts["2026-10"]["subscribers"], cohorts["2026-10"]["churned"]) == (4, 2)
    assert cohorts["2026-11"]["points"] == [point(0, 1, 0, 1.0)]


def test_traffic_lights_by_hand(figures: dict[str, Any]) -> None:
    lights = figures["traffic_lights"]
    # Window: 2026-06-02 up to 2026-12-01. A: 3 referrals + 1 one-to-one + 2 × 1 deal + 1 event = 7 green;
    # D: 1 one-to-one + 2 = 3 amber; E: checked in 09-10, 10-05, 11-05 = 3 amber (12-03 is after the end);
    # G (going, never came) and I (declined): 0 red; K joined 11 days before the end: grey.
    # B, C, F, J have left.
    assert lights["counts"] == {"green": 1, "amber": 2, "red": 2, "grey": 1}
    assert lights["rule"].startswith("Points in the last six months")
    assert "1 per event attended (checked in)" in lights["rule"]


def test_events_attended_count_towards_ones_own_light(db: Database) -> None:
    ids = build(db)
    until = datetime(2026, 12, 1, tzinfo=UTC)
    with db.read() as session:
        echo, alpha, golf = (lights.of(session, ids[k], until) for k in ("E", "A", "G"))
    # Echo: three check-ins in the window (the fourth, on 12-03, is after it) → 3 points, amber, 3 to green
    assert echo == lights.Light("amber", 3, 0, 0, 0, 3, 3)
    assert alpha == lights.Light("green", 7, 3, 1, 1, 1, 0)
    assert golf == lights.Light("red", 0, 0, 0, 0, 0, 3)  # said going, never checked in


def test_nps_cli_lists_and_summarises(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(db)
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_DATABASE_URL", db.url)
    get_settings.cache_clear()
    app = typer.Typer()
    nps_cli.register(app)
    listed = CliRunner().invoke(app, ["nps", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["score"] for r in rows] == [None, 3, 10, 7, 9, 10]  # newest first
    summary = CliRunner().invoke(app, ["nps", "summary", "--days", "3660", "--json"])
    assert summary.exit_code == 0, summary.output
    assert json.loads(summary.output)["overall"]["nps"] == 40.0
    table = CliRunner().invoke(app, ["nps", "summary", "--days", "3660"])
    assert table.exit_code == 0 and "-30.1 to 100.0" in table.output
    get_settings.cache_clear()
