"""``update_my_profile``: change the acting business's profile.

The model's values become *changes* (see :mod:`tools.profile_changes`): "we also do X" adds X to what is
there, fields the person did not speak about never change, placeholders the model filled in are dropped, and
the industry changes only when the classifier agrees with the person's words. When every changed value is
one the person literally wrote, the change is *declared* and saved at once. When the model inferred or
paraphrased any of it, the whole change becomes a proposal the person confirms with one button (a pending
action whose text lists each change as before → after) before matching ever uses it; values that were their
own words are recorded as declared on confirmation. The result lists the changes, for the reply.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.orm import Session

from network import pending
from network.models import PROFILE_FIELDS
from network.services import profiles
from tools import phrases, profile_changes
from tools.base import Data, Said, ToolArgs, ToolEnv, cues, say, spec
from tools.ports import as_code
from tools.profile_changes import Change, How

logger = logging.getLogger(__name__)
AGREEING = 3  # the person's words agree with an industry among the classifier's best three for them
FIRST_FIELDS = ("description", "offers", "needs")  # none of them yet: the business is telling us who it is


def _cued(field: str) -> dict[str, Any]:
    return cues(*profile_changes.CUES[field])


class Args(ToolArgs):
    """Only the fields to change; leave the others out. Each is written only when the person's words speak
    to it (``x-cues``: the words :mod:`tools.profile_changes` also keeps a change by)."""

    description: str | None = Field(
        None,
        description="What the business does, in a sentence or two.",
        json_schema_extra=_cued("description"),
    )
    offers: str | None = Field(
        None, description="Products or services they sell.", json_schema_extra=_cued("offers")
    )
    needs: str | None = Field(
        None,
        description="Suppliers, partners or help they are looking for.",
        json_schema_extra=_cued("needs"),
    )
    ideal_customers: str | None = Field(
        None, description="Who they want as customers.", json_schema_extra=_cued("ideal_customers")
    )
    goals: str | None = Field(None, description="Their business goals.", json_schema_extra=_cued("goals"))
    bottlenecks: str | None = Field(
        None, description="What holds the business back right now.", json_schema_extra=_cued("bottlenecks")
    )
    locality: str | None = Field(
        None, description="Town or city where they work.", json_schema_extra=_cued("locality")
    )
    country: str | None = Field(
        None, description="Two-letter country code, e.g. GB.", json_schema_extra=_cued("country")
    )
    service_radius_km: float | None = Field(
        None, ge=0, le=20000, json_schema_extra=_cued("service_radius_km")
    )
    employees: int | None = Field(None, ge=0, le=1_000_000, json_schema_extra=_cued("employees"))
    growth_stage: Literal["startup", "growing", "established", "mature"] | None = Field(
        None, json_schema_extra=_cued("growth_stage")
    )
    naics_code: str | None = Field(
        None, description="NAICS industry code from classify_industry.", json_schema_extra=_cued("naics_code")
    )


def update_my_profile(env: ToolEnv, args: Args) -> Data:
    """Use when they want to change their own profile: where they are based, what they offer or need,
    ideal customers, bottlenecks, goals, staff numbers, growth stage. Pass only the fields they mention,
    in their own words."""
    me, said = env.ctx.subscriber_id, env.ctx.user_text
    given = _counts_said(_without_echoes(args.model_dump(exclude_none=True)), said)
    proposed = _offers_said(_sorted_needs(given, said), said)
    model_code = str(proposed.pop("naics_code", "")).strip()
    with env.write() as session:
        profile = profiles.get_profile(session, me)
        current = {field: getattr(profile, field) for field in PROFILE_FIELDS}
        changes = profile_changes.plan(current, proposed, said)
        industry = _industry(env, current, changes, model_code)
        # all the person's own words: saved at once; anything inferred beside them: the whole change waits for
        # the Confirm button (a stated word inside a longer, invented update is not a request to change it)
        # the first profile a business gives is always shown back for Confirm before matching uses it: asked
        # to write only what was said, the 1.5B model saved a candle maker's "gift shops" as their needs
        first = not any(current.get(field) for field in FIRST_FIELDS)
        declared = changes if profile_changes.all_stated(proposed, said) and not first else []
        waiting = [c for c in changes if c not in declared] + ([industry] if industry else [])
        if declared:
            profiles.update_profile(session, me, _values(declared))
        if waiting:
            _propose(env, session, waiting)
    return _outcome(declared, waiting)


def _without_echoes(proposed: dict[str, Any]) -> dict[str, Any]:
    """Drop values that only repeat a field's own description: with nothing to say about needs, the 1.5B
    model wrote "Suppliers, partners or help they are looking for." (the schema's words) as the needs."""
    schema = {_plain(f.description) for f in Args.model_fields.values() if f.description}
    return {k: v for k, v in proposed.items() if not (isinstance(v, str) and _plain(v) in schema)}


_NEED_CUE = re.compile(
    r"\b(?:we|i)\s+(?:(?:really|also|still|urgently)\s+)?"
    r"(?:need|needs|want|are looking for|am looking for|'re looking for)\s+(?:is\s+|are\s+)?(.+)"
)


def _sorted_needs(proposed: dict[str, Any], user_text: str) -> dict[str, Any]:
    """An "offers" value the person said they *need* ("We need printed labels") is not an offer: it goes to
    needs, or is dropped when the call names the needs already — the model swapped the two for a candle maker
    who needed labels (and, sampling, wrote the labels as both), and the industry followed the labels."""
    offers = proposed.get("offers")
    if not isinstance(offers, str):
        return proposed
    needed = [m.group(1) for m in _NEED_CUE.finditer(profile_changes.newest(user_text).lower())]
    if any(_plain(offers) and _plain(offers) in _plain(n) for n in needed):
        kept = {k: v for k, v in proposed.items() if k != "offers"}
        proposed = kept if proposed.get("needs") else kept | {"needs": offers}
    return proposed


COUNTS = ("service_radius_km", "employees")


def _counts_said(proposed: dict[str, Any], user_text: str) -> dict[str, Any]:
    """A radius or a head count the person never wrote is left out: for "we now also cover Huddersfield"
    the sampled model proposed a 50 km radius (as a deal needs a stated sum, tools/record_deal.py)."""
    said = profile_changes.newest(user_text)
    return {k: v for k, v in proposed.items() if k not in COUNTS or profile_changes.stated(v, said)}


_OFFER_CUE = re.compile(
    r"\b(?:we|i)(?:'ve|\s+have)?\s+(?:now\s+|also\s+)*"
    r"(?:make|makes|sell|offer|provide|bake|brew|grow|build|repair|fix|design|run|install|supply|deliver"
    r"|clean|print|fit|service|cater|teach|train"
    r"|started\s+(?:doing|offering|selling|making)|also\s+do|now\s+do)\s+(.+?)"
    r"(?=,?\s+(?:in|to|for|from|across|around|mostly|mainly|and sell|and we)\b|[.;!?]|$)",
    re.IGNORECASE,
)


def _offers_said(proposed: dict[str, Any], user_text: str) -> dict[str, Any]:
    """When the call carries no offers but the person said what they make or sell ("We make hand-poured soy
    candles in Saltaire"), their own words are the offers (the model had left them out after mistaking the
    need for the offer)."""
    if proposed.get("offers"):
        return proposed
    said = _OFFER_CUE.search(profile_changes.newest(user_text))
    return proposed | {"offers": said.group(1).strip()} if said else proposed


def _plain(text: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


def _propose(env: ToolEnv, session: Session, waiting: list[Change]) -> None:
    proposals = profiles.propose(session, env.ctx.subscriber_id, _values(waiting))
    listing = "; ".join(_line(c) for c in waiting)
    action = pending.propose(
        session,
        env.ctx,
        "confirm_profile",
        phrases.SUMMARY_PROFILE.format(changes=listing),
        {
            "proposal_ids": [p.id for p in proposals],
            "declared": sorted(c.field for c in waiting if c.stated),
            # re-applied to the profile as it stands on Confirm, so nothing saved meanwhile is lost
            "added": {c.field: c.added for c in waiting if c.added},
        },
    )
    env.effects.pending_action_id = action.id


def _line(change: Change) -> str:
    before, after = change.shown()
    if before is None:
        return phrases.PROFILE_CHANGE_NEW.format(field=change.label, after=after)
    return phrases.PROFILE_CHANGE.format(field=change.label, before=before, after=after)


def _values(changes: list[Change]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for change in changes:
        values |= change.values()
    return values


def _outcome(saved: list[Change], waiting: list[Change]) -> Data:
    status = "waiting_for_confirm" if waiting else "saved" if saved else "nothing_to_change"
    listed = [c.to_data("saved") for c in saved] + [c.to_data("waiting_for_confirm") for c in waiting]
    return {"status": status, "changes": listed}


def _industry(env: ToolEnv, current: dict[str, Any], changes: list[Change], code: str) -> Change | None:
    """A new industry only when the classifier's best code for the new description is also among its codes
    for the person's own words, or is a code the person typed themselves (a code the model wrote is never
    taken as it is)."""
    after = {c.field: c.after for c in changes}
    if not code and not {"description", "offers"} & set(after):
        return None
    text = ". ".join(str(t) for k in ("description", "offers") if (t := after.get(k, current.get(k))))
    if not text:
        return None
    try:
        classifier = env.ports.classifier.get()
        codes = [as_code(c) for c in classifier.classify(text, AGREEING)]
        theirs = {as_code(c).code for c in classifier.classify(env.ctx.user_text, AGREEING)}
    except Exception:  # classification is a convenience: the profile saves without it
        logger.warning("industry classification unavailable", exc_info=True)
        return None
    typed = code if profile_changes.stated(code, env.ctx.user_text) else ""
    best = next((c for c in codes if c.code == typed), None) or next(iter(codes[:1]), None)
    if best is None or not best.code or best.code == current.get("naics_code"):
        return None
    if best.code != typed and best.code not in theirs:
        return None
    how: How = "replaced" if current.get("naics_code") else "set"
    return Change("industry", current.get("naics_title"), best.title, how, code=best.code)


def reply(args: Args, data: Data) -> Said:
    """The server's words for what changed (``data["changes"]``), never the model's."""
    saved = [c for c in data["changes"] if c["state"] == "saved"]
    waiting = [c for c in data["changes"] if c["state"] != "saved"]
    if waiting:
        done = f"Done: {phrases.and_list([_said(c) for c in saved])}. " if saved else ""
        return say("profile_waiting", saved=done, fields=phrases.and_list(_fields(waiting)))
    if saved:
        return say("profile_saved", changes=phrases.and_list([_said(c) for c in saved]))
    return say("profile_unchanged")


def _said(change: Data) -> str:
    if change.get("added"):
        return phrases.SAID_ADDED.format(added=change["added"], field=change["field"])
    if change["before"] is None:
        return phrases.SAID_SET.format(field=change["field"], after=change["after"])
    return phrases.SAID_REPLACED.format(field=change["field"], after=change["after"], before=change["before"])


def _fields(changes: list[Data]) -> list[str]:
    return list(dict.fromkeys(str(c["field"]) for c in changes))


SPEC = spec(
    "update_my_profile",
    Args,
    update_my_profile,
    reply=reply,
    what="change your profile",
    hint="with what your profile should say",
)
