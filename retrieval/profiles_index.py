"""Keeps the vector index in step with the records: only discoverable subscribers, offers and needs apart.

One vector per subscriber in ``l8-<tenant>-offers`` and one in ``l8-<tenant>-needs`` (measured: a single
whole-profile vector confuses "needs X" with "offers X"). Texts are scrubbed of contact data; metadata holds
only ids, the industry code and a content hash, which makes re-indexing an unchanged profile a no-op.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from network.db import Database
from network.models import Profile, Subscriber
from retrieval import eligibility
from retrieval.embedder import Embedder
from retrieval.index import ErasableIndex, VectorRecord, collection_name
from retrieval.scrub import scrub

logger = logging.getLogger(__name__)

KINDS = ("offers", "needs")
BATCH = 256


@dataclass(frozen=True)
class ProfileTexts:
    offers: str
    needs: str

    def of(self, kind: str) -> str:
        return self.offers if kind == "offers" else self.needs


class ProfileFields(Protocol):
    """The profile fields the texts are made of (a ``Profile`` row or a matching ``Party``)."""

    @property
    def description(self) -> str | None: ...
    @property
    def offers(self) -> str | None: ...
    @property
    def needs(self) -> str | None: ...
    @property
    def bottlenecks(self) -> str | None: ...
    @property
    def naics_title(self) -> str | None: ...


def profile_texts(profile: ProfileFields, contact_names: Sequence[str | None] = ()) -> ProfileTexts:
    """What a business provides (offers, industry) and what it is looking for (needs, bottlenecks)."""
    offers = _join(profile.offers or profile.description, profile.naics_title)
    needs = _join(profile.needs, profile.bottlenecks)
    return ProfileTexts(scrub(offers, contact_names), scrub(needs, contact_names))


def _join(*parts: str | None) -> str:
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())


@dataclass(frozen=True)
class Entry:
    """What the index needs of one subscriber, read inside the session."""

    subscriber_id: str
    tenant: str
    naics: str
    texts: ProfileTexts

    @classmethod
    def of(cls, subscriber: Subscriber, profile: Profile) -> Entry:
        texts = profile_texts(profile, [subscriber.contact_name])
        return cls(subscriber.id, subscriber.tenant, profile.naics_code or "", texts)


def content_hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()[:32]


class ProfileIndexer:
    def __init__(self, db: Database, index: ErasableIndex, embedder: Embedder) -> None:
        self.db = db
        self.index = index
        self.embedder = embedder

    def index_subscriber(self, subscriber_id: str) -> bool:
        """Index (or re-index) one subscriber; removes them instead when they are not discoverable."""
        with self.db.read() as session:
            row = session.execute(
                select(Subscriber, Profile)
                .join(Profile, Profile.subscriber_id == Subscriber.id)
                .where(Subscriber.id == subscriber_id)
            ).first()
            allowed = bool(eligibility.discoverable(session, [subscriber_id]))
            entry = Entry.of(row[0], row[1]) if row and allowed and row[0].status == "active" else None
        if entry is None:
            self.remove(subscriber_id)
            return False
        self._index_entries([entry])
        return True

    def remove(self, subscriber_id: str) -> None:
        """Consent withdrawn: no longer findable, at once."""
        for collection in self._collections():
            self.index.remove(collection, {"subscriber_id": subscriber_id})

    def erase(self, subscriber_id: str) -> None:
        """Subscriber erased: remove and compact, so no byte of their text or vectors stays in the store."""
        self.index.erase(self._collections(), {"subscriber_id": subscriber_id})

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Index every discoverable active subscriber and drop anyone indexed who no longer is."""
        indexed = 0
        wanted: set[str] = set()
        for batch in self._discoverable_batches():
            wanted.update(e.subscriber_id for e in batch)
            self._index_entries(batch)
            indexed += len(batch)
            if progress:
                progress(len(batch))
        self._drop_stale(wanted)
        return indexed

    def _discoverable_batches(self) -> Iterator[list[Entry]]:
        with self.db.read() as session:
            allowed = eligibility.discoverable(session)
            rows = session.execute(
                select(Subscriber, Profile)
                .join(Profile, Profile.subscriber_id == Subscriber.id)
                .where(Subscriber.status == "active")
                .order_by(Subscriber.id)
            ).all()
            chosen = [Entry.of(s, p) for s, p in rows if s.id in allowed]
        for start in range(0, len(chosen), BATCH):
            yield chosen[start : start + BATCH]

    def _index_entries(self, entries: Sequence[Entry]) -> None:
        for kind in KINDS:
            by_tenant: dict[str, list[Entry]] = {}
            for entry in entries:
                by_tenant.setdefault(entry.tenant, []).append(entry)
            for tenant, items in by_tenant.items():
                self._upsert(collection_name(tenant, kind), kind, items)

    def _upsert(self, collection: str, kind: str, items: list[Entry]) -> None:
        model = self.embedder.name
        known = self.index.hashes(collection, [e.subscriber_id for e in items])
        fresh = [e for e in items if known.get(e.subscriber_id) != content_hash(model, e.texts.of(kind))]
        for entry in fresh:
            if not entry.texts.of(kind):  # nothing to say on this side: not findable by it
                self.index.remove(collection, {"subscriber_id": entry.subscriber_id})
        fresh = [e for e in fresh if e.texts.of(kind)]
        if not fresh:
            return
        vectors = self.embedder.embed([e.texts.of(kind) for e in fresh])
        records = [
            VectorRecord(
                id=e.subscriber_id,
                vector=vectors[i],
                document=e.texts.of(kind),
                metadata={
                    "subscriber_id": e.subscriber_id,
                    "kind": kind,
                    "naics": e.naics,
                    "discoverable": True,
                    "hash": content_hash(model, e.texts.of(kind)),
                },
            )
            for i, e in enumerate(fresh)
        ]
        self.index.upsert(collection, records)
        logger.debug("indexed %d %s vectors in %s", len(records), kind, collection)

    def _collections(self) -> list[str]:
        with self.db.read() as session:
            tenants = set(session.scalars(select(Subscriber.tenant).distinct()))
        return [collection_name(t, kind) for t in tenants or {"default"} for kind in KINDS]

    def _drop_stale(self, wanted: set[str]) -> None:
        for collection in self._collections():
            for stale in set(self.index.ids(collection)) - wanted:
                self.index.remove(collection, {"subscriber_id": stale})
