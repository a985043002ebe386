"""``update_my_profile``: change the acting business's profile.

When every value is one the person literally wrote, the change is *declared* and saved at once. When the
model inferred or paraphrased any of it, the whole change becomes a proposal the person confirms with one
button (a pending action) before matching ever uses it; values that were their own words are recorded as
declared on confirmation. The model's say-so never decides which is which: the server checks
the value against the person's own words.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import Field

from network import pending
from network.services import profiles
from tools import phrases
from tools.base import Data, ToolArgs, ToolEnv, spec
from tools.ports import as_code
from tools.said import stated

logger = logging.getLogger(__name__)
MIN_CLASSIFY_SCORE = 0.0
NAICS = re.compile(r"\d{2,6}")


class Args(ToolArgs):
    """Only the fields to change; leave the others out."""

    description: str | None = Field(None, description="What the business does, in a sentence or two.")
    offers: str | None = Field(None, description="Products or services they sell.")
    needs: str | None = Field(None, description="Suppliers, partners or help they are looking for.")
    ideal_customers: str | None = Field(None, description="Who they want as customers.")
    goals: str | None = Field(None, description="Their business goals.")
    bottlenecks: str | None = Field(None, description="What holds the business back right now.")
    locality: str | None = Field(None, description="Town or city where they work.")
    country: str | None = Field(None, description="Two-letter country code, e.g. GB.")
    service_radius_km: float | None = Field(None, ge=0, le=20000)
    employees: int | None = Field(None, ge=0, le=1_000_000)
    growth_stage: Literal["startup", "growing", "established", "mature"] | None = None
    naics_code: str | None = Field(None, description="NAICS industry code from classify_industry.")


def update_my_profile(env: ToolEnv, args: Args) -> Data:
    """Use when they want to change their own profile: where they are based, what they offer or need,
    ideal customers, bottlenecks, goals, staff numbers, growth stage. Pass only the fields they mention,
    in their own words."""
    changes = args.model_dump(exclude_none=True)
    if not NAICS.fullmatch(str(changes.get("naics_code", "00")).strip()):
        # an invented code ("31111000") would refuse the whole change; drop it, the server classifies instead
        del changes["naics_code"]
    if not changes:
        return {"status": "nothing to change"}
    stated_fields = {k for k, v in changes.items() if stated(v, env.ctx.user_text)}
    # all the person's own words: saved at once; anything inferred beside them: the whole change waits for
    # the Confirm button (a stated word inside a longer, invented update is not a request to change it)
    declared = changes if len(stated_fields) == len(changes) else {}
    inferred = {k: v for k, v in changes.items() if k not in declared}
    inferred |= _industry(env, changes)
    me = env.ctx.subscriber_id
    with env.write() as session:
        if declared:
            profiles.update_profile(session, me, declared)
        proposals = profiles.propose(session, me, inferred)
        if not proposals:
            return {"status": "saved", "saved": declared}
        listing = "; ".join(f"{p.field.replace('_', ' ')}: {p.value}" for p in proposals)
        action = pending.propose(
            session,
            env.ctx,
            "confirm_profile",
            phrases.SUMMARY_PROFILE.format(fields=listing),
            {"proposal_ids": [p.id for p in proposals], "declared": sorted(stated_fields)},
        )
        env.effects.pending_action_id = action.id
        return {
            "status": "waiting for the person to confirm these values with the button",
            "saved": declared,
            "to_confirm": {p.field: p.value for p in proposals},
        }


def _industry(env: ToolEnv, changes: dict[str, Any]) -> dict[str, Any]:
    """Propose an industry code when the description changes and none was given."""
    text = " ".join(str(changes[k]) for k in ("description", "offers") if k in changes)
    if not text or "naics_code" in changes:
        return {}
    try:
        codes = env.ports.classifier.get().classify(text, 1)
    except Exception:  # classification is a convenience: the profile saves without it
        logger.warning("industry classification unavailable", exc_info=True)
        return {}
    if not codes:
        return {}
    best = as_code(codes[0])
    if not best.code or best.score < MIN_CLASSIFY_SCORE:
        return {}
    return {"naics_code": best.code, "naics_title": best.title}


SPEC = spec("update_my_profile", Args, update_my_profile)
