"""De-duplication of webhook deliveries: each (channel, event id) is accepted once.

A row in ``inbound_events`` (unique on channel and event id) is the receipt. It is written with a plain
INSERT on a bare connection, not through the ORM: a receipt is bookkeeping, so it does not go into the audit
trail, and it stays one cheap statement on the acknowledgement path. No message text or phone number is
stored in it.

On the acknowledgement path the webhooks use :class:`Receipts`, which commits the receipts of concurrent
requests together (group commit, ``INSERT … ON CONFLICT DO NOTHING`` per row): one transaction and one
thread hand-off per batch instead of per request was the difference between about 450 and over 1,000
acknowledgements a second on SQLite in the webhook benchmark.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable

from network.db import Database
from network.models import InboundEvent

logger = logging.getLogger(__name__)


def first_time(db: Database, channel: str, event_id: str, kind: str, **facts: Any) -> bool:
    """True the first time this event is seen; False for a duplicate or a retry."""
    statement = insert(InboundEvent).values(
        channel=channel,
        event_id=clean_id(event_id),
        kind=clean_id(kind, 64),
        status="received",
        payload=facts,
    )
    try:
        _write(db, statement)
    except IntegrityError:
        logger.info("duplicate %s event %s ignored", channel, event_id)
        return False
    return True


def unusable(db: Database, channel: str, raw: bytes, reason: str) -> bool:
    """Keep a signed body we cannot use as an ``unusable`` event, once per distinct body (True if new).

    The sender gets its acknowledgement and stops retrying; the receipt holds why it was unusable, the body's
    size and SHA-256 — never the body, which may hold message text or phone numbers.
    """
    digest = hashlib.sha256(raw).hexdigest()
    facts = {"reason": reason[:200], "bytes": len(raw), "sha256": digest}
    statement = insert(InboundEvent).values(
        channel=channel, event_id=f"unusable:{digest}", kind="unusable", status="unusable", payload=facts
    )
    try:
        _write(db, statement)
    except IntegrityError:
        return False
    logger.warning("unusable %s body kept (%s)", channel, reason)
    return True


def mark(db: Database, channel: str, event_id: str, status: str) -> None:
    """Record what became of the event (``answered``, ``ignored``, ``failed``…)."""
    _write(db, update(InboundEvent).where(*_this(channel, event_id)).values(status=status[:16]))


SENT = ("sending", "answered", "failed")  # the reply went, or may have gone: never send it again


def answered(db: Database, channel: str, event_id: str) -> bool:
    """Whether the event's reply was sent or may have been (``sending``, ``answered``, ``failed``): a
    queued turn taken up again after its worker died past the reply must not send it twice."""
    with db.engine.connect() as connection:
        status = connection.execute(select(InboundEvent.status).where(*_this(channel, event_id))).scalar()
    return status in SENT


def claim(db: Database, channel: str, event_id: str) -> bool:
    """Record the intent to send the event's reply (status ``sending``) before sending it; True when this
    run may send, False when an earlier run of the turn got that far. An event without a receipt gets
    one."""
    this = _this(channel, event_id)
    with _writer(db) as connection:
        taken = update(InboundEvent).where(*this, InboundEvent.status.not_in(SENT)).values(status="sending")
        if connection.execute(taken).rowcount:
            return True
        if connection.execute(select(InboundEvent.status).where(*this)).scalar() is not None:
            return False
        connection.execute(
            insert(InboundEvent).values(
                channel=channel, event_id=clean_id(event_id), kind="turn", status="sending", payload={}
            )
        )
    return True


def forget(db: Database, channel: str, event_id: str) -> None:
    """Drop the receipt of an event we could not take on, so the platform's retry is accepted."""
    _write(db, delete(InboundEvent).where(*_this(channel, event_id)))


Pending = tuple[tuple[str, str, str], Future[bool]]


class Receipts:
    """Group commit of receipts by one writer thread; ``await first_time(...)`` from the event loop."""

    def __init__(self, db: Database, *, max_batch: int = 256) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="layer8-receipts", daemon=True)
        self._thread.start()

    async def first_time(self, channel: str, event_id: str, kind: str) -> bool:
        future: Future[bool] = Future()
        self._queue.put(((channel, clean_id(event_id), clean_id(kind, 64)), future))
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            batch = [item]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[Pending]) -> None:
        try:
            with _writer(self._db) as connection:
                inserted = _insert_new(connection, self._db.dialect, [row for row, _ in batch])
        except Exception as exc:  # the callers answer 5xx; the platform delivers again
            for _, future in batch:
                future.set_exception(exc)
            return
        for row, future in batch:
            new = (row[0], row[1]) in inserted
            inserted.discard((row[0], row[1]))  # the same event twice in one batch: the second is a duplicate
            if not new:
                logger.info("duplicate %s event %s ignored", row[0], row[1])
            future.set_result(new)


def _insert_new(
    connection: Connection, dialect: str, rows: list[tuple[str, str, str]]
) -> set[tuple[str, str]]:
    """One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``: the (channel, event id) pairs it added."""
    values = [
        {"channel": c, "event_id": e, "kind": k, "status": "received", "payload": {}} for c, e, k in rows
    ]
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(InboundEvent)
        .values(values)
        .on_conflict_do_nothing(index_elements=["channel", "event_id"])
        .returning(InboundEvent.channel, InboundEvent.event_id)
    )
    return {(channel, event_id) for channel, event_id in connection.execute(statement)}


def _this(channel: str, event_id: str) -> tuple[Any, Any]:
    return InboundEvent.channel == channel, InboundEvent.event_id == clean_id(event_id)


def clean_id(value: str, limit: int = 160) -> str:
    """An id as stored: valid UTF-8 without NUL (a signed body may carry a lone surrogate from a JSON escape,
    which no database encodes, or a NUL, which PostgreSQL refuses in text), cut to size."""
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")[:limit]


_SQLITE_WRITERS: WeakKeyDictionary[Database, threading.Lock] = WeakKeyDictionary()
_GUARD = threading.Lock()


def _write(db: Database, statement: Executable) -> None:
    """One statement in its own transaction on a bare connection (the hot path needs no ORM session).

    SQLite has one writer at a time, and threads that collide wait in SQLite's busy handler, which sleeps in
    growing steps (up to 100 ms): taking turns on a Python lock first hands the write lock over at once.
    """
    with _writer(db) as connection:
        connection.execute(statement)


@contextmanager
def _writer(db: Database) -> Iterator[Connection]:
    if db.dialect != "sqlite":
        with db.engine.begin() as connection:
            yield connection
        return
    with _GUARD:
        lock = _SQLITE_WRITERS.setdefault(db, threading.Lock())
    with lock, db.engine.begin() as connection:
        yield connection
