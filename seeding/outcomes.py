"""Small pieces the demo history's stories share: weighted choices and what a step hands the next."""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.models import Incentive

# what one step of a story leaves for its later steps (the id of the record it wrote, a thread key)
Box = dict[str, str]


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    """One key of ``weights``, drawn with those weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def incentive_of(session: Session, deal_id: str | None) -> str | None:
    """The id of the giver's incentive for ``deal_id`` (None when the deal earned none)."""
    if deal_id is None:
        return None
    query = select(Incentive.id).where(Incentive.deal_id == deal_id, Incentive.reversal_of_id.is_(None))
    return session.scalars(query).first()


def outcomes(rng: random.Random, weights: dict[str, float], count: int) -> list[str]:
    """``count`` outcomes: each one once first (so a small demo still shows every state), then drawn."""
    chosen = list(weights)[:count]
    return chosen + [pick(rng, weights) for _ in range(count - len(chosen))]
