"""De-duplication of webhook deliveries: each (channel, event id) is accepted once.

A row in ``inbound_events`` (unique on channel and event id) is the receipt. It is written with a plain
INSERT on a bare connection, not through the ORM: a receipt is bookkeeping, so it does not go into the audit
trail, and it stays one cheap statement on the acknowledgement path. No message text or phone number is
stored in it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable

from network.db import Database
from network.models import InboundEvent

logger = logging.getLogger(__name__)


def first_time(db: Database, channel: str, event_id: str, kind: str, **facts: Any) -> bool:
    """True the first time this event is seen; False for a duplicate or a retry."""
    statement = insert(InboundEvent).values(
        channel=channel, event_id=event_id[:160], kind=kind[:64], status="received", payload=facts
    )
    try:
        _write(db, statement)
    except IntegrityError:
        logger.info("duplicate %s event %s ignored", channel, event_id)
        return False
    return True


def mark(db: Database, channel: str, event_id: str, status: str) -> None:
    """Record what became of the event (``answered``, ``ignored``, ``failed``…)."""
    _write(db, update(InboundEvent).where(*_this(channel, event_id)).values(status=status[:16]))


def forget(db: Database, channel: str, event_id: str) -> None:
    """Drop the receipt of an event we could not take on, so the platform's retry is accepted."""
    _write(db, delete(InboundEvent).where(*_this(channel, event_id)))


def _this(channel: str, event_id: str) -> tuple[Any, Any]:
    return InboundEvent.channel == channel, InboundEvent.event_id == event_id[:160]


_SQLITE_WRITERS: WeakKeyDictionary[Database, threading.Lock] = WeakKeyDictionary()
_GUARD = threading.Lock()


def _write(db: Database, statement: Executable) -> None:
    """One statement in its own transaction on a bare connection (the hot path needs no ORM session).

    SQLite has one writer at a time, and threads that collide wait in SQLite's busy handler, which sleeps in
    growing steps (up to 100 ms): taking turns on a Python lock first hands the write lock over at once.
    """
    if db.dialect != "sqlite":
        with db.engine.begin() as connection:
            connection.execute(statement)
        return
    with _GUARD:
        lock = _SQLITE_WRITERS.setdefault(db, threading.Lock())
    with lock, db.engine.begin() as connection:
        connection.execute(statement)
