"""A realistic, deterministic demo network (``layer8 seed``).

Businesses come from NAICS small-business industries (``seeding/data/industries.csv``); what each
offers, needs and sells to comes from real data (NAICS titles, OpenStreetMap vocabulary, the BEA 2017
supply chains of its industry). Towns are real UK places; names are fictional; e-mails are at example.com
subdomains and phone numbers in Ofcom's drama ranges. The same ``seed`` gives the same subscribers — ids,
words, coordinates, consent history — on SQLite and on PostgreSQL, and a smaller network is a prefix of a
larger one with the same seed. The first businesses are fixed anchors for the demo: bakeries in Leeds and,
nearby, the flour mills, food wholesalers and packaging suppliers they need.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from network.actor import Actor
from network.db import Database
from network.errors import Conflict
from network.ids import new_id
from network.models import ConsentKind, ConsentRecord, GrowthStage, Profile, Subscriber
from network.services.consent import PURPOSES, WORDING_VERSION
from network.services.profiles import DECLARED, clean_value
from seeding import text as words
from seeding.catalog import SeedCatalog, SeedIndustry, Town
from seeding.contact import PhoneBook

SEED_EPOCH = datetime(2026, 11, 1, tzinfo=UTC)  # seeded businesses joined in the two years before this
ANCHORS = (
    ("311811", "Leeds"),
    ("311211", "Wakefield"),
    ("424410", "Leeds"),
    ("311811", "Leeds"),
    ("311211", "Bradford"),
    ("424130", "Leeds"),
    ("311811", "Leeds"),
    ("424410", "Huddersfield"),
    ("541219", "Leeds"),
    ("722515", "Leeds"),
)
STAGES = ((GrowthStage.STARTUP, 0.2), (GrowthStage.GROWING, 0.35), (GrowthStage.ESTABLISHED, 0.33))
CHANNELS = (("whatsapp", 0.45), ("web", 0.3), ("slack", 0.15), ("support", 0.1))
LANGUAGES = ("en, pl", "en, ur", "en, pa", "en, es", "en, fr", "en, ro")
P_DISCOVERABLE, P_CONTACTABLE_IF_DISCOVERABLE, P_CONTACTABLE_OTHERWISE = 0.8, 0.8, 0.3
ProgressFn = Callable[[int], None]


@dataclass
class SeedReport:
    created: int = 0
    skipped: bool = False
    first_id: str | None = None
    industries: dict[str, int] = field(default_factory=dict)


@dataclass
class SeededBusiness:
    subscriber: Subscriber
    profile: Profile
    consents: list[ConsentRecord]

    def dependents(self) -> list[Any]:
        return [self.profile, *self.consents]


def _weighted(rng: random.Random, items: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([item for item, _ in items], weights=[weight for _, weight in items])[0]


class NetworkGenerator:
    """An endless, deterministic stream of businesses for one seed."""

    def __init__(self, seed: int, *, tenant: str = "default", catalog: SeedCatalog | None = None) -> None:
        self.rng = random.Random(f"layer8-seed-{seed}")
        self.tenant = tenant
        self.catalog = catalog or SeedCatalog.load()
        self.phones = PhoneBook(random.Random(f"layer8-phones-{seed}"), self.catalog.towns)
        self._names: set[str] = set()
        self._industries = tuple((i, i.weight) for i in self.catalog.industries)
        self._towns = tuple((t, t.weight) for t in self.catalog.towns)

    def __iter__(self) -> Iterator[SeededBusiness]:
        for naics, locality in ANCHORS:
            yield self.business(self.catalog.industry(naics), self.catalog.town(locality), anchor=True)
        while True:
            yield self.business(_weighted(self.rng, self._industries), _weighted(self.rng, self._towns))

    def business(self, industry: SeedIndustry, town: Town, *, anchor: bool = False) -> SeededBusiness:
        rng = self.rng
        subscriber_id = new_id("sub", rng)
        joined = SEED_EPOCH - timedelta(days=rng.randint(1, 730), seconds=rng.randint(0, 86_399))
        name = self._unique_name(industry, town)
        first, last = rng.choice(self.catalog.first_names), rng.choice(self.catalog.surnames)
        subscriber = Subscriber(
            id=subscriber_id,
            tenant=self.tenant,
            bss_party_id=new_id("pty", rng),
            business_name=name,
            contact_name=f"{first} {last}",
            contact_email=words.email(first, last, name),
            contact_phone=self.phones.number(town.locality),
            status="active",
            created_at=joined,
            last_active_at=joined + (SEED_EPOCH - joined) * rng.random(),
        )
        profile = Profile(subscriber_id=subscriber_id, **self._profile(industry, town, name, anchor))
        profile.sources = {key: DECLARED for key in self._profile_keys(profile)}
        consents = self._consents(subscriber_id, joined, anchor)
        return SeededBusiness(subscriber, profile, consents)

    def _profile(self, industry: SeedIndustry, town: Town, name: str, anchor: bool) -> dict[str, Any]:
        rng = self.rng
        stage = _weighted(rng, (*STAGES, (GrowthStage.MATURE, 0.12))).value
        low, high = industry.staff
        employees = int(rng.triangular(low, high, low) + 0.5)
        needs = words.pick_weighted(rng, industry.needs, rng.randint(3, 5), power=0.6)
        if anchor and industry.naics == "311811":
            needs = ["flour, bread flour and milled grains", *[n for n in needs if "flour" not in n]][:4]
        construction = industry.naics.startswith("23")
        values: dict[str, Any] = {
            "description": words.description(rng, name, industry, town, stage, employees),
            "offers": words.offers(industry),
            "needs": "; ".join(needs),
            "ideal_customers": words.ideal_customers(rng, industry, construction),
            "interests": words.interests(rng),
            "bottlenecks": words.bottlenecks(rng, needs),
            "goals": words.goals(rng, stage, self.catalog, town),
            "naics_code": industry.naics,
            "naics_title": industry.title,
            "locality": town.locality,
            "region": town.region,
            "country": town.country,
            "latitude": round(town.latitude + rng.uniform(-0.03, 0.03), 5),
            "longitude": round(town.longitude + rng.uniform(-0.045, 0.045), 5),
            "service_radius_km": service_radius(rng, industry.naics),
            "employees": max(employees, 1),
            "growth_stage": stage,
            "languages": "en" if rng.random() < 0.85 else rng.choice(LANGUAGES),
        }
        return {key: clean_value(key, value) for key, value in values.items()}

    @staticmethod
    def _profile_keys(profile: Profile) -> list[str]:
        return [
            key
            for key in (column.key for column in profile.__table__.columns)
            if _declared_field(profile, key)
        ]

    def _unique_name(self, industry: SeedIndustry, town: Town) -> str:
        for _ in range(8):
            name = words.business_name(self.rng, self.catalog, industry, town)
            if name not in self._names:
                break
        else:
            name = f"{name} {town.locality}"
            while name in self._names:
                name = f"{name} {self.rng.randint(2, 99)}"
        self._names.add(name)
        return name

    def _consents(self, subscriber_id: str, joined: datetime, anchor: bool) -> list[ConsentRecord]:
        rng = self.rng
        discoverable = anchor or rng.random() < P_DISCOVERABLE
        p_contact = P_CONTACTABLE_IF_DISCOVERABLE if discoverable else P_CONTACTABLE_OTHERWISE
        contactable = anchor or rng.random() < p_contact
        channel = _weighted(rng, CHANNELS)
        records = []
        at = joined + timedelta(minutes=rng.randint(2, 90))
        for kind, granted in (
            (ConsentKind.DISCOVERABLE, discoverable),
            (ConsentKind.CONTACTABLE, contactable),
        ):
            withdrawn_later = not granted and rng.random() < 0.3
            history = (
                [(True, at), (False, at + timedelta(days=rng.randint(3, 200)))] if withdrawn_later else []
            )
            for value, when in history or [(granted, at)]:
                record = ConsentRecord(
                    id=new_id("con", rng),
                    subscriber_id=subscriber_id,
                    kind=kind.value,
                    granted=value,
                    purpose=PURPOSES[kind],
                    channel=channel,
                    wording_version=WORDING_VERSION,
                    at=min(when, SEED_EPOCH),
                )
                records.append(record)
        return records


def _declared_field(profile: Profile, key: str) -> bool:
    return key not in ("subscriber_id", "sources", "updated_at") and getattr(profile, key) is not None


def service_radius(rng: random.Random, naics: str) -> float:
    """How far a business serves, by the kind of trade (local shop … national wholesaler)."""
    if naics.startswith(("44", "45", "722", "812", "621", "624", "713", "611", "811", "311811")):
        low, high = 3, 15
    elif naics.startswith(("23", "5617", "4842", "4853", "5311", "5312")):
        low, high = 15, 50
    elif naics.startswith(("54", "56", "52")):
        low, high = 25, 200
    else:
        low, high = 50, 400
    return float(round(rng.uniform(low, high)))


def seed_network(
    db: Database,
    count: int,
    seed: int = 7,
    *,
    tenant: str = "default",
    if_empty: bool = False,
    batch_size: int = 250,
    progress: ProgressFn | None = None,
) -> SeedReport:
    """Write ``count`` businesses in one transaction (flushed in batches, each flush audited)."""
    report = SeedReport()
    with db.transaction(Actor.system("seed")) as session:
        if if_empty and session.scalar(select(func.count()).select_from(Subscriber)):
            report.skipped = True
            return report
        stream = iter(NetworkGenerator(seed, tenant=tenant))
        while report.created < count:
            batch = list(islice(stream, min(batch_size, count - report.created)))
            if report.first_id is None:
                report.first_id = batch[0].subscriber.id
                _refuse_reseed(session, report.first_id, seed)
            _write(session, batch, report)
            if progress is not None:
                progress(len(batch))
    return report


def _refuse_reseed(session: Session, first_id: str, seed: int) -> None:
    if session.get(Subscriber, first_id) is not None:
        raise Conflict(
            f"this database was already seeded with --seed {seed}; use another seed, or --if-empty",
            seed=seed,
        )


def _write(session: Session, batch: list[SeededBusiness], report: SeedReport) -> None:
    session.add_all([business.subscriber for business in batch])
    session.flush()  # consent records have no relationship to order them after their subscriber
    for business in batch:
        session.add_all(business.dependents())
        code = business.profile.naics_code or "?"
        report.industries[code] = report.industries.get(code, 0) + 1
    session.flush()
    report.created += len(batch)
    session.expunge_all()  # written in this transaction; keep memory flat on large networks
