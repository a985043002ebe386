"""``layer8 seed`` replays 90 days of history through the domain services: every state of every record, the
incentive pipeline through the embedded BSS, conversations with feedback and handoffs — so each dashboard card
and chart has data — the same on SQLite and PostgreSQL for one seed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.settings import get_settings
from composition import ossbss as wiring
from composition.container import Layer8, build
from network import audit, metrics
from network.db import Database
from network.metrics_shapes import MetricsQuery
from network.models import Conversation, Deal, EventInvitation, Incentive, Introduction, Referral, Subscriber
from network.outcomes import lights
from network.services.handoffs import queue
from seeding.history import Operations, seed_history
from seeding.network import seed_network

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _layer8(url: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> Layer8:
    monkeypatch.setenv("LAYER8_HOME", str(home))
    monkeypatch.setenv("LAYER8_DATABASE_URL", url)
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    get_settings.cache_clear()
    return build()  # deal.recorded → incentives, wired as in production


def _replay(layer8: Layer8, subscribers: int = 60) -> dict[str, object]:
    seed_network(layer8.db, subscribers, 7)
    operations = Operations(
        wiring.incentives(layer8.settings), wiring.relay(layer8.settings, layer8.db, layer8.bss), layer8.bss
    )
    report = seed_history(layer8.db, operations, seed=7, now=NOW)
    assert report.refused == []  # every planned step is one the rules allow
    with layer8.db.read() as session:
        records = {
            model.__name__: sorted((r.id, r.state) for r in session.scalars(select(model)))
            for model in (Introduction, Referral, Deal, Incentive, EventInvitation)
        }
    return {"report": report, "records": records}


@pytest.fixture
def layer8(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Layer8]:
    built = _layer8(db.url, tmp_path, monkeypatch)
    yield built
    built.close()
    get_settings.cache_clear()


def test_the_history_fills_every_state_and_every_dashboard_card(layer8: Layer8) -> None:
    report = _replay(layer8)["report"]
    assert set(report.introductions) == {"suggested", "requested", "accepted", "declined", "expired"}  # type: ignore[attr-defined]
    assert set(report.referrals) == {"open", "contacted", "meeting", "won", "lost"}  # type: ignore[attr-defined]
    assert {"pending", "held", "reversed"} <= set(report.incentives)  # type: ignore[attr-defined]
    assert {"posted", "confirmed"} & set(report.incentives)  # type: ignore[attr-defined]
    with layer8.db.read() as session:
        assert audit.verify(session).ok
        start = (NOW - timedelta(days=89)).date()
        figures = metrics.compute(session, MetricsQuery(start=start, end=NOW.date()))
        times = [r.created_at for r in session.scalars(select(Introduction))]
        waiting = queue(session)
        answered = [c for c in session.scalars(select(Conversation)) if c.mode == "assistant" and c.agent_id]
    assert all(stage.count > 0 for stage in figures.funnel)
    assert figures.closed_business and figures.incentives_earned and figures.incentives_paid
    assert figures.engagement.active > 0 and figures.rates.rated > 0 and figures.rates.acceptance_rate
    assert figures.top_industries[0].deals > 0 and figures.supply_chains
    # the operator's outcomes: NPS answers, businesses that left, retention curves and traffic lights
    assert report.nps_answers > 0 and figures.nps.overall.answers > 0  # type: ignore[attr-defined]
    assert report.churned == figures.churn.churned_in_period > 0  # type: ignore[attr-defined]
    assert figures.retention.cohorts and sum(vars(figures.traffic_lights.counts).values()) > 0
    assert len({t.date() for t in times}) > 10  # spread over the period, not all today
    assert all(NOW - timedelta(days=91) < t.replace(tzinfo=UTC) < NOW for t in times)
    assert len(waiting) == 3 and sum(item.agent_id is None for item in waiting) == 2
    assert answered  # answered by an agent, then handed back


def test_a_past_event_with_check_ins_feeds_the_traffic_lights(layer8: Layer8) -> None:
    """Every input of a light has data on a fresh install: events attended too, not only referrals."""
    report = _replay(layer8, 40)["report"]
    assert report.checked_in > 0  # type: ignore[attr-defined]
    with layer8.db.read() as session:
        came = session.scalars(
            select(EventInvitation.checked_in_at).where(EventInvitation.state == "attended")
        ).all()
        by_member = lights.lights(session, select(Subscriber.id), NOW)
    assert len(came) == report.checked_in  # type: ignore[attr-defined]
    assert all(at and NOW - timedelta(days=30) < at.replace(tzinfo=UTC) < NOW for at in came)
    assert any(light.events > 0 for light in by_member.values())
    assert {light.colour for light in by_member.values()} - {"grey"}


def test_the_same_seed_gives_the_same_history_on_sqlite_and_postgresql(
    sqlite_url: str, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    histories = []
    for url, home in ((sqlite_url, tmp_path / "a"), (postgres_url, tmp_path / "b")):
        from network.migrate import upgrade

        built = _layer8(url, home, monkeypatch)
        try:
            upgrade(built.db)
            histories.append(_replay(built, 30)["records"])
        finally:
            built.close()
    assert histories[0] == histories[1]
    assert histories[0]["Deal"]  # type: ignore[index]
