"""Webhook receipts: each (channel, event id) is accepted exactly once, even under concurrency."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from network import dedup
from network.db import Database
from network.models import AuditEvent, InboundEvent


def test_an_event_is_accepted_once_per_channel(db: Database) -> None:
    assert dedup.first_time(db, "slack", "Ev1", "dm")
    assert not dedup.first_time(db, "slack", "Ev1", "dm")
    assert dedup.first_time(db, "whatsapp", "Ev1", "message")
    dedup.mark(db, "slack", "Ev1", "answered")
    with db.read() as session:
        assert (
            session.scalar(select(InboundEvent.status).where(InboundEvent.channel == "slack")) == "answered"
        )
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0  # bookkeeping, not audited


def test_a_forgotten_receipt_accepts_the_retry(db: Database) -> None:
    assert dedup.first_time(db, "whatsapp", "wamid.1", "message")
    dedup.forget(db, "whatsapp", "wamid.1")
    assert dedup.first_time(db, "whatsapp", "wamid.1", "message")


def test_concurrent_deliveries_of_one_event_yield_one_acceptance(db: Database) -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: dedup.first_time(db, "slack", "EvRace", "dm"), range(16)))
    assert results.count(True) == 1


async def test_group_committed_receipts_accept_each_event_once(db: Database) -> None:
    receipts = dedup.Receipts(db, max_batch=7)
    try:
        ids = [f"Ev{n % 40}" for n in range(120)]  # every id three times, interleaved
        results = await asyncio.gather(*(receipts.first_time("slack", i, "dm") for i in ids))
        accepted = [i for i, ok in zip(ids, results, strict=True) if ok]
        assert sorted(accepted) == sorted({*ids})
        assert await receipts.first_time("whatsapp", "Ev1", "message")  # another channel
        twice = await asyncio.gather(*(receipts.first_time("slack", "EvTwice", "dm") for _ in range(5)))
        assert sorted(twice) == [False, False, False, False, True]  # also within one batch
    finally:
        receipts.close()
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 42
