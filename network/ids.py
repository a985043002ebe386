"""Record identifiers: a short prefix naming the kind, then 16 hex digits (``sub_3f2a…``)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

# a moment to use instead of the wall clock, while the demo seed replays a history (see ``clock_at``)
_PRETEND_NOW: ContextVar[datetime | None] = ContextVar("layer8_pretend_now", default=None)
# where new ids come from instead of the system's randomness, while the demo seed writes (see ``seeded_ids``)
_ID_SOURCE: ContextVar[random.Random | None] = ContextVar("layer8_id_source", default=None)


def new_id(prefix: str, rng: random.Random | None = None) -> str:
    """A fresh id; with ``rng`` it is deterministic (the seeder's networks are identical everywhere)."""
    rng = rng or _ID_SOURCE.get()
    digits = f"{rng.getrandbits(64):016x}" if rng else secrets.token_hex(8)
    return f"{prefix}_{digits}"


def utcnow() -> datetime:
    pretend = _PRETEND_NOW.get()
    return datetime.now(UTC) if pretend is None else pretend


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Within the block, :func:`utcnow` — every service, record default and audit event — says ``when``.

    ``layer8 seed`` replays 90 days of history through the domain services this way, so each record and
    its audit event carry the day it happened and the rules that depend on time (holds, cooldowns, expiry,
    fraud windows) judge it as they would have then.
    """
    if when.tzinfo is None:
        raise ValueError("clock_at needs a timezone-aware time")
    token = _PRETEND_NOW.set(when)
    try:
        yield
    finally:
        _PRETEND_NOW.reset(token)


@contextmanager
def seeded_ids(rng: random.Random) -> Iterator[None]:
    """Within the block, every new record id comes from ``rng``: the same seed writes the same ids."""
    token = _ID_SOURCE.set(rng)
    try:
        yield
    finally:
        _ID_SOURCE.reset(token)
