"""``layer8 seed``: a realistic, deterministic demo network on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from assistant.settings import get_settings
from cli import seed as seed_cli
from network import audit
from network.db import Database
from network.errors import Conflict
from network.events import EventBus
from network.migrate import upgrade
from network.models import ConsentRecord, GrowthStage, Profile, Subscriber
from network.services import consent
from retrieval.supply_chain import SupplyChain
from seeding.catalog import SeedCatalog
from seeding.network import NetworkGenerator, SeededBusiness, seed_network

# Ofcom's drama ranges: mobile, no-area, and each town's own (e.g. Leeds 0113 496 0xxx)
DRAMA_PREFIXES = (
    "+447700900",
    "+441632960",
    *(town.drama_prefix.replace(" ", "") for town in SeedCatalog.load().towns if town.drama_prefix),
)
LEEDS = (53.8008, -1.5491)
COLUMNS = {model: [column.key for column in model.__table__.columns] for model in (Subscriber, Profile)}


def generated(count: int, seed: int = 7) -> list[SeededBusiness]:
    return list(islice(NetworkGenerator(seed), count))


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    return 6371 * math.acos(
        min(1.0, math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl))
    )


def dump(db: Database) -> list[dict[str, Any]]:
    """Everything seeded, in a database-neutral form."""
    with db.read() as session:
        rows = []
        for subscriber in session.scalars(select(Subscriber).order_by(Subscriber.id)):
            profile = session.get(Profile, subscriber.id)
            assert profile is not None
            consents = session.scalars(
                select(ConsentRecord)
                .where(ConsentRecord.subscriber_id == subscriber.id)
                .order_by(ConsentRecord.id)
            )
            rows.append(
                {
                    "subscriber": {c: getattr(subscriber, c) for c in COLUMNS[Subscriber]},
                    "profile": {c: getattr(profile, c) for c in COLUMNS[Profile] if c != "updated_at"},
                    "consents": [
                        (r.id, r.kind, r.granted, r.channel, r.wording_version, r.at) for r in consents
                    ],
                }
            )
        return rows


def test_the_same_seed_gives_the_same_network_on_sqlite_and_postgresql(
    sqlite_url: str, postgres_url: str
) -> None:
    databases = [Database(url, events=EventBus()) for url in (sqlite_url, postgres_url)]
    try:
        for database in databases:
            upgrade(database)
            assert seed_network(database, 120, 7).created == 120
        on_sqlite, on_postgres = (dump(database) for database in databases)
        assert len(on_sqlite) == 120
        assert on_sqlite == on_postgres
    finally:
        for database in databases:
            database.dispose()


def test_generation_is_deterministic_and_prefix_stable() -> None:
    small, large = generated(30), generated(80)
    assert [b.subscriber.id for b in small] == [b.subscriber.id for b in large[:30]]
    assert [b.profile.needs for b in small] == [b.profile.needs for b in large[:30]]
    other = generated(30, seed=8)
    assert not {b.subscriber.id for b in small} & {b.subscriber.id for b in other}


def test_consent_mix_and_contact_data_are_plausible_and_fictional() -> None:
    businesses = generated(2000)
    current = [{r.kind: r.granted for r in sorted(b.consents, key=lambda r: r.at)} for b in businesses]
    discoverable = sum(state["discoverable"] for state in current) / len(current)
    contactable = sum(state["contactable"] for state in current) / len(current)
    assert 0.76 <= discoverable <= 0.84 and 0.66 <= contactable <= 0.74
    assert any(len(b.consents) > 2 for b in businesses)  # some granted, then withdrew: history is kept
    for business in businesses:
        subscriber = business.subscriber
        assert subscriber.contact_email and subscriber.contact_email.endswith(".example.com")
        assert subscriber.contact_phone and subscriber.contact_phone.startswith(DRAMA_PREFIXES)
        assert {r.purpose for r in business.consents} <= set(consent.PURPOSES.values())
        assert {r.wording_version for r in business.consents} == {consent.WORDING_VERSION}
    assert len({b.subscriber.contact_phone for b in businesses}) == len(
        businesses
    )  # no number handed out twice
    assert len({b.subscriber.business_name for b in businesses}) == len(businesses)


def test_profiles_are_complete_declared_and_in_the_uk() -> None:
    for business in generated(300):
        profile = business.profile
        assert profile.naics_code and profile.naics_title and profile.description
        assert profile.offers and profile.needs and profile.ideal_customers and profile.bottlenecks
        assert profile.goals and profile.growth_stage in {stage.value for stage in GrowthStage}
        assert profile.employees and profile.employees >= 1 and profile.service_radius_km
        assert profile.latitude and 49.8 < profile.latitude < 58.8 and profile.country == "GB"
        assert profile.longitude and -6.5 < profile.longitude < 1.8
        filled = {key for key in COLUMNS[Profile] if getattr(profile, key) is not None}
        assert set(profile.sources) == filled - {"subscriber_id", "sources", "updated_at"}
        assert set(profile.sources.values()) == {"declared"}


def test_needs_come_from_the_industrys_real_bea_suppliers() -> None:
    catalog, chain = SeedCatalog.load(), SupplyChain.load()
    for industry in catalog.industries:
        top = chain.top_suppliers(industry.naics, 15)
        shares = {link.share for link in top}
        assert all(share in shares for _, share in industry.needs), industry.naics
    bakery = catalog.industry("311811")
    assert "flour, bread flour and milled grains" in [need for need, _ in bakery.needs]
    assert "wholesale groceries, ingredients and catering supplies" in [need for need, _ in bakery.needs]


def test_the_demo_finds_flour_suppliers_near_leeds_bakeries() -> None:
    businesses = generated(20)
    bakeries = [b for b in businesses if b.profile.naics_code == "311811" and b.profile.locality == "Leeds"]
    mills = [b for b in businesses if b.profile.naics_code == "311211"]
    wholesalers = [b for b in businesses if b.profile.naics_code == "424410"]
    assert len(bakeries) >= 3 and len(mills) >= 2 and len(wholesalers) >= 2
    assert all("flour" in (b.profile.needs or "") for b in bakeries)
    for mill in mills:
        profile = mill.profile
        assert profile.latitude and profile.longitude and profile.service_radius_km
        assert km(profile.latitude, profile.longitude, *LEEDS) < profile.service_radius_km
        assert "flour" in (profile.offers or "")
        assert {r.kind: r.granted for r in mill.consents} == {"discoverable": True, "contactable": True}


def test_seed_writes_audited_rows_and_refuses_to_seed_twice(db: Database) -> None:
    report = seed_network(db, 60, 3, batch_size=25)
    assert report.created == 60 and sum(report.industries.values()) == 60
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == 60
        assert session.scalar(select(func.count()).select_from(Profile)) == 60
        assert audit.verify(session).ok
        assert consent.current(session, report.first_id or "")["discoverable"] is True  # an anchor
    with pytest.raises(Conflict):
        seed_network(db, 10, 3)
    assert seed_network(db, 10, 3, if_empty=True).skipped
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Subscriber)) == 60
    assert seed_network(db, 5, 4).created == 5  # another seed adds other businesses


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("LAYER8_HOME", str(tmp_path))
    monkeypatch.setenv("LAYER8_EMBEDDER", "fake")
    monkeypatch.delenv("LAYER8_DATABASE_URL", raising=False)
    monkeypatch.delenv("LAYER8_CHROMA_URL", raising=False)
    get_settings.cache_clear()
    upgrade(Database(get_settings().database))
    root = typer.Typer()
    seed_cli.register(root)
    root.command("noop", hidden=True)(lambda: None)
    yield root
    get_settings.cache_clear()


def test_layer8_seed_command(cli: typer.Typer) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["seed", "--subscribers", "25", "--seed", "7"])
    assert first.exit_code == 0, first.output
    assert "seeded 25 subscribers" in first.output
    assert "replayed 90 days" in first.output and "deals" in first.output
    assert "discoverable profile(s) for matching" in first.output  # `layer8 match` works at once
    again = runner.invoke(cli, ["seed", "--subscribers", "25", "--if-empty"])
    assert again.exit_code == 0 and "nothing seeded" in again.output
