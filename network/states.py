"""The state machines of the referral economy, as data.

A transition the table does not allow is refused with :class:`IllegalTransition` naming the current state.
"""

from __future__ import annotations

from collections.abc import Mapping

from network.errors import IllegalTransition
from network.models import IncentiveState as Inc
from network.models import IntroductionState as Intro
from network.models import InvitationState as Inv
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

# an event's seat: a declined or cancelled guest may change their mind while the event is open
INVITATION: Mapping[str, frozenset[str]] = {
    Inv.INVITED: frozenset({Inv.GOING, Inv.WAITLISTED, Inv.DECLINED, Inv.ATTENDED}),
    Inv.GOING: frozenset({Inv.CANCELLED, Inv.ATTENDED}),
    Inv.WAITLISTED: frozenset({Inv.GOING, Inv.CANCELLED}),
    Inv.DECLINED: frozenset({Inv.GOING, Inv.WAITLISTED}),
    Inv.CANCELLED: frozenset({Inv.GOING, Inv.WAITLISTED}),
    Inv.ATTENDED: frozenset(),
}

MACHINES: Mapping[str, Mapping[str, frozenset[str]]] = {
    "introduction": INTRODUCTION,
    "referral": REFERRAL,
    "incentive": INCENTIVE,
    "invitation": INVITATION,
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
