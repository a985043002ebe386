"""Why a suggestion was made, in words a subscriber understands (the user-facing strings of matching)."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def short(text: str | None, limit: int = 80) -> str:
    if not text:
        return ""
    clean = " ".join(text.split()).rstrip(".")
    return clean if len(clean) <= limit else clean[: limit - 1].rsplit(" ", 1)[0] + "…"


def reasons(mine: Party, theirs: Party, ev: Evidence) -> list[str]:
    said = [
        _offer_fit(mine, theirs, ev),
        _reciprocity(theirs, ev),
        _supply_chain(mine, theirs, ev),
        _distance(theirs, ev),
        _stage(mine, theirs, ev),
        _trust(ev),
    ]
    return [sentence for sentence in said if sentence]


def _offer_fit(mine: Party, theirs: Party, ev: Evidence) -> str:
    if ev.fit < SHOWN or not theirs.offers:
        return ""
    need = short(mine.needs or mine.bottlenecks, 60)
    tail = f", which matches what you are looking for (“{need}”)" if need else ""
    return f"They offer “{short(theirs.offers)}”{tail}."


def _reciprocity(theirs: Party, ev: Evidence) -> str:
    if ev.reciprocity < SHOWN or not theirs.needs:
        return ""
    return f"They are looking for “{short(theirs.needs, 60)}”, which you offer, so it can work both ways."


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
