"""Cursor (keyset) pagination, newest first: a page ends where the next one starts, by ``(time, id)``.

Unlike an offset, a cursor neither repeats nor skips a record when new ones are inserted meanwhile: new
rows are newer than the first page, and each later page starts strictly after the last row it was given.
A cursor is opaque to clients (URL-safe base64 of the last row's time and id).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from network.errors import InvalidCursor

T = TypeVar("T")
MAX_CURSOR = 200


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None


def encode(at: datetime, row_id: str) -> str:
    raw = json.dumps({"t": at.astimezone(UTC).isoformat(), "i": row_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, str]:
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = datetime.fromisoformat(str(data["t"]))
        row_id = str(data["i"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("the cursor is not one this API gave out") from None
    if at.tzinfo is None:
        raise InvalidCursor("the cursor is not one this API gave out")
    return at, row_id


def paginate(
    session: Session,
    query: Select[Any],
    time: InstrumentedAttribute[datetime],
    key: InstrumentedAttribute[str],
    *,
    limit: int,
    cursor: str | None,
) -> Page[Any]:
    """One page of ``query`` (which selects one entity), newest first, after ``cursor``."""
    if cursor:
        at, row_id = decode(cursor)
        query = query.where(or_(time < at, and_(time == at, key < row_id)))
    rows = list(session.scalars(query.order_by(time.desc(), key.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more else None
    next_cursor = encode(getattr(last, time.key), getattr(last, key.key)) if last is not None else None
    return Page(rows, next_cursor)
