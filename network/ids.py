"""Record identifiers: a short prefix naming the kind, then 16 hex digits (``sub_3f2a…``)."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime


def new_id(prefix: str, rng: random.Random | None = None) -> str:
    """A fresh id; with ``rng`` it is deterministic (the seeder's networks are identical everywhere)."""
    digits = f"{rng.getrandbits(64):016x}" if rng else secrets.token_hex(8)
    return f"{prefix}_{digits}"


def utcnow() -> datetime:
    return datetime.now(UTC)
