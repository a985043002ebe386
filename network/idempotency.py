"""Idempotency keys: the same key and request give the first result again; a different request is refused.

The key row is inserted first, in the same transaction as the effect (``INSERT … ON CONFLICT DO NOTHING``).
A concurrent duplicate blocks on the unique index (PostgreSQL) or on the write lock (SQLite) until the first
commits, then finds the row and returns its stored result, so 100 racing writers produce one effect.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from network.errors import IdempotencyConflict, InvalidInput
from network.ids import utcnow
from network.models import IdempotencyKey

Result = dict[str, Any]


def request_hash(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


def run_once(
    session: Session, scope: str, key: str, request: dict[str, Any], effect: Callable[[], Result]
) -> Result:
    """Run ``effect`` once per (scope, key) inside ``session``'s transaction and return its result."""
    result, _replayed = run_or_replay(session, scope, key, request, effect)
    return result


def run_or_replay(
    session: Session,
    scope: str,
    key: str,
    request: dict[str, Any],
    effect: Callable[[], Result],
    *,
    ttl: timedelta | None = None,
) -> tuple[Result, bool]:
    """:func:`run_once`, also saying whether the result is a replay; a key older than ``ttl`` is forgotten
    first, so it may be used again for a new request (Stripe's 24 hours for API keys)."""
    if not key or len(key) > 200:
        raise InvalidInput("an idempotency key of 1 to 200 characters is required")
    if ttl is not None:
        _forget_expired(session, scope, key, utcnow() - ttl)
    digest = request_hash(request)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(IdempotencyKey)
        .values(scope=scope, key=key, request_hash=digest, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(IdempotencyKey.id)
    )
    inserted = session.execute(statement).scalar_one_or_none()
    if inserted is None:
        existing = session.scalars(
            select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
        ).one()
        if existing.request_hash != digest:
            raise IdempotencyConflict(
                f"idempotency key {key!r} was already used for a different request", scope=scope
            )
        return dict(existing.result or {}), True
    result = effect()
    row = session.get(IdempotencyKey, inserted)
    assert row is not None
    row.result = result
    return result, False


def _forget_expired(session: Session, scope: str, key: str, before: datetime) -> None:
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.scope == scope, IdempotencyKey.key == key, IdempotencyKey.created_at < before
        )
    )


def seen(session: Session, scope: str, key: str) -> bool:
    """Whether work under ``scope``/``key`` has been recorded already (a retry, not a first attempt)."""
    query = select(IdempotencyKey.id).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    return session.scalar(query) is not None
