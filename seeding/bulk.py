"""Many subscribers into PostgreSQL at once, with ``COPY`` (issue 20: a million subscribers in minutes).

The demo network (:mod:`seeding.network`) builds 200 businesses with their history through the ORM; that
runs at a few hundred rows a second. Capacity work needs the base an operator actually has — hundreds of
thousands to millions of business subscribers — so this writes the three tables matching reads
(``subscribers``, ``profiles``, and one ``discoverable`` consent record each) with PostgreSQL's ``COPY``
protocol, in one transaction per chunk, into a database already migrated to head (``layer8 init``).
Which rows is the caller's business (:class:`BulkSubscriber`); nothing here invents data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from network.ids import utcnow
from network.models import ConsentKind

CHUNK = 50_000  # rows per transaction: a failure loses at most one chunk, and memory stays flat
WORDING_VERSION = "bulk-1"
PURPOSE = "be suggested to other businesses of the operator's network"

SUBSCRIBER_COLUMNS = ("id", "tenant", "business_name", "status", "created_at")
PROFILE_COLUMNS = (
    "subscriber_id",
    "description",
    "offers",
    "needs",
    "naics_code",
    "naics_title",
    "locality",
    "region",
    "country",
    "latitude",
    "longitude",
    "service_radius_km",
    "employees",
    "growth_stage",
    "sources",
    "review_state",
    "updated_at",
)
CONSENT_COLUMNS = ("id", "subscriber_id", "kind", "granted", "purpose", "channel", "wording_version", "at")


@dataclass(frozen=True)
class BulkSubscriber:
    """One business subscriber and the profile fields matching uses (all declared by the business)."""

    id: str
    business_name: str
    offers: str
    needs: str
    naics_code: str
    naics_title: str
    locality: str
    latitude: float
    longitude: float
    service_radius_km: float
    growth_stage: str
    employees: int
    tenant: str = "default"
    region: str | None = None
    country: str = "GB"
    discoverable: bool = True


@dataclass(frozen=True)
class BulkResult:
    subscribers: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.subscribers / self.seconds if self.seconds else 0.0


def libpq_url(url: str) -> str:
    """SQLAlchemy's ``postgresql+psycopg://`` URL as psycopg (libpq) takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def copy_subscribers(
    url: str,
    rows: Iterable[BulkSubscriber],
    *,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """``COPY`` ``rows`` into the database at ``url`` (already migrated), a transaction per ``chunk``;
    returns how many were written. ``progress`` is called with each chunk's size once it is committed."""
    import psycopg  # lazy: only PostgreSQL deployments have it loaded

    now = clock()
    written = 0
    with psycopg.connect(libpq_url(url)) as connection:
        for part in _chunks(rows, chunk):
            with connection.transaction(), connection.cursor() as cursor:
                _copy(cursor, "subscribers", SUBSCRIBER_COLUMNS, (_subscriber(r, now) for r in part))
                _copy(cursor, "profiles", PROFILE_COLUMNS, (_profile(r, now) for r in part))
                _copy(cursor, "consent_records", CONSENT_COLUMNS, (_consent(r, now) for r in part))
            written += len(part)
            if progress:
                progress(len(part))
    return written


def _chunks(rows: Iterable[BulkSubscriber], size: int) -> Iterator[list[BulkSubscriber]]:
    iterator = iter(rows)
    while part := list(islice(iterator, size)):
        yield part


def _copy(cursor: Any, table: str, columns: tuple[str, ...], values: Iterable[tuple[Any, ...]]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)


def _subscriber(r: BulkSubscriber, now: datetime) -> tuple[Any, ...]:
    return (r.id, r.tenant, r.business_name, "active", now)


SOURCES = json.dumps({"offers": "declared", "needs": "declared", "naics_code": "declared"})


def _profile(r: BulkSubscriber, now: datetime) -> tuple[Any, ...]:
    return (
        r.id,
        None,
        r.offers,
        r.needs,
        r.naics_code,
        r.naics_title,
        r.locality,
        r.region or r.locality,
        r.country,
        r.latitude,
        r.longitude,
        r.service_radius_km,
        r.employees,
        r.growth_stage,
        SOURCES,
        "clear",
        now,
    )


def _consent(r: BulkSubscriber, now: datetime) -> tuple[Any, ...]:
    kind = ConsentKind.DISCOVERABLE.value
    return (f"con_{r.id[-36:]}", r.id, kind, r.discoverable, PURPOSE, "web", WORDING_VERSION, now)
