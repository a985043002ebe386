"""``find_introductions``: businesses in the network worth meeting, each with its reasons.

Without a ``need`` the matching engine ranks by the confirmed profile; with one, the consented offers are
searched for that need. Every suggestion shown is logged with ``introductions.suggest`` (the funnel and the
exposure caps count it). Only public facts are returned: name, industry, place, reasons — never contacts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import Field

from network.services import introductions
from tools import phrases
from tools.base import Data, Said, ToolArgs, ToolEnv, business_card, say, spec
from tools.ports import Match, as_match
from tools.profile_changes import newest


class Args(ToolArgs):
    need: str | None = Field(
        None, max_length=300, description="What they are looking for, e.g. 'flour supplier' or 'bookkeeper'."
    )
    limit: int = Field(3, ge=1, le=10, description="How many suggestions.")


def find_introductions(env: ToolEnv, args: Args) -> Data:
    """Use when they need or look for a supplier, partner, tradesperson, service provider or customers
    in the network, e.g. 'I need a bookkeeper', 'who could deliver our bread?', 'find me businesses to
    meet'. Put what they need in `need`."""
    me = env.ctx.subscriber_id
    matches = _search(env, me, args.need, _limit(args.limit, env.ctx.user_text))
    shown = []
    with env.write() as session:
        for m in matches:
            introductions.suggest(
                session, me, m.subscriber_id, score=m.score, parts=m.parts, reasons=m.reasons
            )
            card = business_card(session, m.subscriber_id)
            shown.append({**card, "reasons": m.reasons})
    env.effects.items = [
        {"id": s["subscriber_id"], "title": s["business_name"], "description": " ".join(s["reasons"][:1])}
        for s in shown
    ]
    if not shown:
        return {"suggestions": [], "note": "no business in the network offers that yet"}
    return {"suggestions": shown, "next_step": "the person can ask for an introduction to any of them"}


_COUNT_WORDS = ("one", "two")


def _limit(asked: int, user_text: str) -> int:
    """Fewer suggestions than the default only when the person asked for that number: for "find me a
    bookkeeper who can do payroll" the model (sampling) asked for one, and the best fit was the second."""
    default = Args.model_fields["limit"].default
    if asked >= default:
        return asked
    said = newest(user_text).lower()
    words = {str(asked), *(_COUNT_WORDS[asked - 1 : asked] if asked <= len(_COUNT_WORDS) else ())}
    return asked if any(re.search(rf"\b{w}\b", said) for w in words) else int(default)


def _search(env: ToolEnv, me: str, need: str | None, limit: int) -> list[Match]:
    found: Sequence[object]
    try:
        if not need:
            raise LookupError("no need given")
        found = env.ports.needs.get().find(me, need, limit)
    except LookupError:  # no need, or no need search on this installation: rank by the profile
        found = env.ports.matcher.get().suggest(me, limit)
    return [as_match(m) for m in found][:limit]


def reply(args: Args, data: Data) -> Said:
    names = [s["business_name"] for s in data["suggestions"]]
    if not names:
        if args.need:
            return say("no_match_for_need", need=args.need)
        return say("no_match")
    listed = phrases.and_list(names)
    if args.need:
        return say("matches_for_need", need=args.need, businesses=listed)
    return say("matches", businesses=listed)


SPEC = spec(
    "find_introductions",
    Args,
    find_introductions,
    reply=reply,
    what="look for businesses",
    hint="with the kind of business you are looking for",
)
