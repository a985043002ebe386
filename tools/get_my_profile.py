"""``get_my_profile``: the acting business's own profile, consent and pending profile suggestions."""

from __future__ import annotations

from network.models import PROFILE_FIELDS
from network.services import consent, profiles
from network.services.subscribers import require_subscriber
from tools import phrases
from tools.base import Data, Said, ToolArgs, ToolEnv, say, spec


class Args(ToolArgs):
    """No arguments: it is always the profile of the person you are talking to."""


def get_my_profile(env: ToolEnv, args: Args) -> Data:
    """Use when they ask what is on their own profile, what you know or have on file about their
    business, which industry they are listed under, or whether other businesses can see them."""
    me = env.ctx.subscriber_id
    with env.write() as session:
        subscriber = require_subscriber(session, me)
        profile = profiles.get_profile(session, me)
        fields = {f: getattr(profile, f) for f in PROFILE_FIELDS if getattr(profile, f) not in (None, "")}
        waiting = {p.field: p.value for p in profiles.pending(session, me)}
        return {
            "business_name": subscriber.business_name,
            "profile": fields,
            "awaiting_confirmation": waiting,
            "consent": consent.current(session, me),
        }


# the fields a person recognises, in the order they read them (coordinates and the raw code are left out)
SHOWN = {
    "naics_title": "Industry",
    "description": "What you do",
    "offers": "What you offer",
    "needs": "What you need",
    "ideal_customers": "Ideal customers",
    "goals": "Goals",
    "bottlenecks": "Bottlenecks",
    "locality": "Where",
    "service_radius_km": "Service radius (km)",
    "employees": "Staff",
    "growth_stage": "Growth stage",
}


def reply(args: Args, data: Data) -> Said:
    """Exactly what the records hold: the fields set, what is waiting for Confirm, and the consent."""
    profile, waiting = data["profile"], data["awaiting_confirmation"]
    lines = [f"- {label}: {profile[f]}" for f, label in SHOWN.items() if f in profile]
    lines += [f"- {SHOWN.get(f, f)} (waiting for your Confirm): {v}" for f, v in waiting.items()]
    visible = phrases.VISIBLE if data["consent"].get("discoverable") else phrases.NOT_VISIBLE
    if not lines:
        return say("profile_empty", business=data["business_name"], visibility=visible)
    return say("profile", business=data["business_name"], fields="\n".join(lines), visibility=visible)


SPEC = spec("get_my_profile", Args, get_my_profile, reply=reply, what="read your profile")
