"""``my_network``: the person's own referrals (given and received), deals, credits and introductions, and
with everything (``show="all"``) their traffic light — "how am I doing?" (:mod:`tools.standing`).

Everything is filtered to rows the acting subscriber is a party to. Other businesses appear by name only;
contact details appear only for introductions both sides accepted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from network.models import Incentive, IntroductionState, Subscriber
from network.money import Money
from network.services import deals, introductions, referrals
from tools import phrases, standing
from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec

LIMIT = 10


class Args(ToolArgs):
    show: Literal["all", "referrals", "deals", "credits", "introductions"] = Field(
        "all", description="Which part of their network activity to show."
    )


def my_network(env: ToolEnv, args: Args) -> Data:
    """Use for any question about their own referrals, deals, credits, rewards or introductions so far:
    how many, which, what state, what they earned."""
    me = env.ctx.subscriber_id
    parts = {
        "referrals": _referrals,
        "deals": _deals,
        "credits": _credits,
        "introductions": _introductions,
    }
    wanted = parts if args.show == "all" else {args.show: parts[args.show]}
    with env.read() as session:
        data: Data = {name: read(session, me) for name, read in wanted.items()}
        if args.show == "all":
            data["standing"] = standing.read(session, me)
        return data


def _name(session: Session, subscriber_id: str | None) -> str | None:
    subscriber = session.get(Subscriber, subscriber_id) if subscriber_id else None
    return subscriber.business_name if subscriber else None


def _referrals(session: Session, me: str) -> list[dict[str, Any]]:
    rows = referrals.list_referrals(session, me, limit=LIMIT)
    return [
        {
            "referral_id": r.id,
            "direction": "given" if r.giver_id == me else "received",
            "other_business": _name(session, r.receiver_id if r.giver_id == me else r.giver_id),
            "prospect": r.prospect_name or _name(session, r.prospect_subscriber_id),
            "hotness": r.hotness,
            "state": r.state,
        }
        for r in rows
    ]


def _deals(session: Session, me: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "closed by you" if d.receiver_id == me else "credited to you",
            "amount": Money(d.amount_minor, d.currency).format(),
            "amount_minor": d.amount_minor,
            "currency": d.currency,
            "closed_on": d.closed_on.isoformat(),
            "other_business": _name(session, d.giver_id if d.receiver_id == me else d.receiver_id),
            "state": d.state,
        }
        for d in deals.for_subscriber(session, me)[:LIMIT]
    ]


def _credits(session: Session, me: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Incentive)
        .where(Incentive.beneficiary_id == me)
        .order_by(Incentive.created_at.desc())
        .limit(LIMIT)
    )
    return [
        {
            "amount": Money(i.amount_minor, i.currency).format(),
            "amount_minor": i.amount_minor,
            "currency": i.currency,
            "state": i.state,
        }
        for i in rows
    ]


def _introductions(session: Session, me: str) -> list[dict[str, Any]]:
    out = []
    for intro in introductions.for_subscriber(session, me)[:LIMIT]:
        other = intro.target_id if intro.requester_id == me else intro.requester_id
        row: dict[str, Any] = {
            "with": _name(session, other),
            "you_asked": intro.requester_id == me,
            "state": intro.state,
        }
        if intro.state == IntroductionState.ACCEPTED.value:
            card = introductions.contact_card(session, intro.id, me)
            row["contact"] = {"name": card.contact_name, "email": card.email, "phone": card.phone}
        out.append(row)
    return out


def reply(args: Args, data: Data) -> Said:
    """Counts by state, money summed per currency, names of the connected businesses — from the rows; with
    everything, the traffic light first (its counts, what would raise it, the rule)."""
    lines = [
        f"- {line}"
        for name, summarise in _SUMMARIES.items()
        for line in summarise(data.get(name) or [])
        if data.get(name) or args.show == name
    ]
    light = data.get("standing")
    if not light:
        return say("network_part", lines="\n".join(lines) or f"- {phrases.NETWORK_NOTHING}")
    if not lines:
        return say("network_empty", **standing.values(light))
    return say("network", lines="\n".join(lines), **standing.values(light))


def _by_state(rows: list[dict[str, Any]]) -> str:
    counts = Counter(str(r["state"]) for r in rows)
    return ", ".join(f"{n} {state}" for state, n in counts.most_common())


def _referral_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return [phrases.NETWORK_NONE.format(what="referrals")]
    lines = []
    for direction in ("given", "received"):
        mine = [r for r in rows if r["direction"] == direction]
        if mine:
            lines.append(
                phrases.NETWORK_REFERRALS.format(direction=direction, n=len(mine), states=_by_state(mine))
            )
    return lines


def _deal_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return [phrases.NETWORK_NONE.format(what="deals")]
    lines = []
    for role in ("closed by you", "credited to you"):
        mine = [r for r in rows if r["role"] == role]
        if mine:
            lines.append(phrases.NETWORK_DEALS.format(role=role, n=len(mine), total=_total(mine)))
    return lines


def _credit_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return [phrases.NETWORK_NONE.format(what="credits")]
    states = ", ".join(
        f"{_total([r for r in rows if r['state'] == s])} {s}" for s in dict.fromkeys(r["state"] for r in rows)
    )
    return [phrases.NETWORK_CREDITS.format(states=states)]


def _intro_lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return [phrases.NETWORK_NONE.format(what="introductions")]
    lines = [phrases.NETWORK_INTROS.format(n=len(rows), states=_by_state(rows))]
    for row in rows:
        contact = row.get("contact")
        if contact:
            details = ", ".join(str(v) for v in contact.values() if v)
            lines.append(phrases.NETWORK_CONNECTED.format(business=row["with"], details=details))
    return lines


def _total(rows: list[dict[str, Any]]) -> str:
    """Amounts summed per currency, from the rows' minor units."""
    sums: dict[str, int] = {}
    for r in rows:
        sums[r["currency"]] = sums.get(r["currency"], 0) + int(r["amount_minor"])
    return " + ".join(Money(minor, code).format() for code, minor in sums.items())


_SUMMARIES = {
    "referrals": _referral_lines,
    "deals": _deal_lines,
    "credits": _credit_lines,
    "introductions": _intro_lines,
}

SPEC = spec("my_network", Args, my_network, reply=reply, what="look up your network")
