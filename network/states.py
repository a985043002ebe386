"""The state machines of the referral economy, as data.

A transition the table does not allow is refused with :class:`IllegalTransition` naming the current state.
"""

from __future__ import annotations

from collections.abc import Mapping

from network.errors import IllegalTransition
from network.models import IncentiveState as Inc
from network.models import IntroductionState as Intro
from network.models import ReferralState as Ref

INTRODUCTION: Mapping[str, frozenset[str]] = {
    Intro.SUGGESTED: frozenset({Intro.REQUESTED, Intro.EXPIRED, Intro.WITHDRAWN}),
    Intro.REQUESTED: frozenset({Intro.ACCEPTED, Intro.DECLINED, Intro.EXPIRED, Intro.WITHDRAWN}),
    Intro.ACCEPTED: frozenset(),
    Intro.DECLINED: frozenset(),
    Intro.EXPIRED: frozenset(),
    Intro.WITHDRAWN: frozenset(),
}

REFERRAL: Mapping[str, frozenset[str]] = {
    Ref.OPEN: frozenset({Ref.CONTACTED, Ref.MEETING, Ref.WON, Ref.LOST, Ref.WITHDRAWN}),
    Ref.CONTACTED: frozenset({Ref.MEETING, Ref.WON, Ref.LOST, Ref.WITHDRAWN}),
    Ref.MEETING: frozenset({Ref.WON, Ref.LOST, Ref.WITHDRAWN}),
    Ref.WON: frozenset(),
    Ref.LOST: frozenset(),
    Ref.WITHDRAWN: frozenset(),
}

INCENTIVE: Mapping[str, frozenset[str]] = {
    Inc.PENDING: frozenset({Inc.APPROVED, Inc.HELD, Inc.REVERSED}),
    Inc.HELD: frozenset({Inc.APPROVED, Inc.REVERSED}),
    Inc.APPROVED: frozenset({Inc.POSTED, Inc.REVERSED}),
    Inc.POSTED: frozenset({Inc.CONFIRMED, Inc.REVERSED}),
    Inc.CONFIRMED: frozenset({Inc.REVERSED}),
    Inc.REVERSED: frozenset(),
}

MACHINES: Mapping[str, Mapping[str, frozenset[str]]] = {
    "introduction": INTRODUCTION,
    "referral": REFERRAL,
    "incentive": INCENTIVE,
}


def check(machine: str, current: str, target: str) -> None:
    """Raise unless ``current → target`` is allowed in ``machine``."""
    table = MACHINES[machine]
    if target not in table:
        raise IllegalTransition(f"{target!r} is not a {machine} state", current=current)
    allowed = table.get(current, frozenset())
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "none: it is final"
        raise IllegalTransition(
            f"this {machine} is {current}; it cannot become {target} (allowed next: {options})",
            current=current,
            target=target,
        )
