"""Why a suggestion was made, in words a subscriber understands (the user-facing strings of matching)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from network.profile_text import coarse_items, excerpt
from retrieval.best_items import Pair
from retrieval.eligibility import TrustStats
from retrieval.match_signals import STAGES
from retrieval.party import Party

SHOWN = 0.35  # a signal below this (of its full strength) is not worth a sentence


@dataclass(frozen=True)
class Evidence:
    fit: float
    reciprocity: float
    buys_from_them: float
    sells_to_them: float
    prior: float
    distance_km: float | None
    reach: float
    stage: float
    trust: TrustStats
    exposure: int


PAIR_SAID = 0.55  # below this the best need/offer pair is too far apart to claim they match
ITEM_SHOWN = 0.7  # MiniLM cosine of two short items: unrelated ones reach 0.6 ("market", "marketing")
QUOTE = 60  # characters of another business's words a reason may quote


@dataclass(frozen=True)
class Quotes:
    """What matched, item by item: my need and their offer; their need and my offer (see ``best_items``)."""

    fit: Pair | None = None  # (my need item, their offer item)
    reciprocity: Pair | None = None  # (their need item, my offer item)


def short(text: str | None, limit: int = QUOTE) -> str:
    return excerpt(text, limit)


def reasons(mine: Party, theirs: Party, ev: Evidence, quotes: Quotes | None = None) -> list[str]:
    quotes = quotes or Quotes()
    said = [
        _offer_fit(mine, theirs, ev, quotes.fit),
        _reciprocity(theirs, ev, quotes.reciprocity),
        _supply_chain(mine, theirs, ev),
        _distance(theirs, ev),
        _stage(mine, theirs, ev),
        _trust(ev),
    ]
    return [sentence for sentence in said if sentence]


def _offer_fit(mine: Party, theirs: Party, ev: Evidence, pair: Pair | None) -> str:
    """The one need of mine and the one offer of theirs that matched, never the whole lists."""
    if not theirs.offers or not _worth_saying(ev.fit, pair, PAIR_SAID):
        return ""
    if pair is None:
        need, offer = _first(mine.needs or mine.bottlenecks), _first(theirs.offers)
    else:
        need, offer = pair.left, pair.right
    if _same(need, offer):
        return f"They offer “{short(offer)}”, which you are looking for."
    tail = f", which matches what you are looking for (“{short(need)}”)" if need else ""
    return f"They offer “{short(offer)}”{tail}."


def _reciprocity(theirs: Party, ev: Evidence, pair: Pair | None) -> str:
    if not theirs.needs or not _worth_saying(ev.reciprocity, pair, ITEM_SHOWN):
        return ""
    if pair is None:
        pair = Pair(_first(theirs.needs), "", 0.0)
    if not pair.right or _same(pair.left, pair.right):
        return f"They are looking for “{short(pair.left)}”, which you offer, so it can work both ways."
    return (
        f"They are looking for “{short(pair.left)}”, which you offer (“{short(pair.right)}”), "
        "so it can work both ways."
    )


def _worth_saying(signal: float, pair: Pair | None, least: float) -> bool:
    """Whole lists alike (the signal) or one item pair very alike; and, when the items are known, the best
    pair alike enough to be a true claim ("wheat" is not "bread", though MiniLM puts them at 0.64)."""
    if pair is None:
        return signal >= SHOWN
    return pair.score >= least and (signal >= SHOWN or pair.score >= ITEM_SHOWN)


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _first(text: str | None) -> str:
    found = coarse_items(text)
    return found[0] if found else ""


def _supply_chain(mine: Party, theirs: Party, ev: Evidence) -> str:
    if ev.prior < SHOWN:
        return ""
    if mine.naics_code and mine.naics_code == theirs.naics_code:
        return (
            f"Businesses in your industry buy a lot from each other (about {_percent(ev.buys_from_them)} "
            "of their purchases from other businesses, US input-output tables)."
        )
    mine_name = _industry(mine, "businesses like yours")
    their_name = _industry(theirs, "businesses like theirs")
    buyer, seller, share = (mine_name, their_name, ev.buys_from_them)
    if ev.sells_to_them > ev.buys_from_them:
        buyer, seller, share = (their_name, mine_name, ev.sells_to_them)
    return (
        f"Across the economy, {buyer} regularly buy from {seller} "
        f"(about {_percent(share)} of their purchases from other businesses, US input-output tables)."
    )


def _industry(profile: Party, fallback: str) -> str:
    title = re.sub(r"\s*\([^)]*\)", "", profile.naics_title or "").strip().lower()
    return title or fallback


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%" if share < 0.1 else f"{share * 100:.0f}%"


def _distance(theirs: Party, ev: Evidence) -> str:
    if ev.distance_km is None:
        return ""
    where = f" in {theirs.locality}" if theirs.locality else ""
    away = "less than 1 km away" if ev.distance_km < 1 else f"{ev.distance_km:.0f} km away"
    if ev.reach >= 1.0:
        return f"They are {away}{where}, inside the area they serve."
    if ev.reach > 0:
        return f"They are {away}{where}, a little beyond the area they usually serve."
    return ""


def _stage(mine: Party, theirs: Party, ev: Evidence) -> str:
    stage, own = theirs.growth_stage, mine.growth_stage
    if ev.stage < SHOWN or stage not in STAGES or own not in STAGES:
        return ""
    if stage == own:
        return f"You are both {stage} businesses."
    if STAGES.index(stage) > STAGES.index(own):
        return f"They are {_a(stage)} business, able to support {_a(own)} one like yours."
    return ""


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _trust(ev: Evidence) -> str:
    won = ev.trust.won_referrals
    if won >= 1:
        return f"They have {won} successful referral{'s' if won != 1 else ''} in the network."
    if ev.trust.accepted >= 2 and ev.trust.accepted > ev.trust.declined:
        return "They usually accept introductions."
    return ""
