"""``get_my_profile``: the acting business's own profile, consent and pending profile suggestions."""

from __future__ import annotations

from network.models import PROFILE_FIELDS
from network.services import consent, profiles
from network.services.subscribers import require_subscriber
from tools.base import Data, ToolArgs, ToolEnv, spec


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


SPEC = spec("get_my_profile", Args, get_my_profile)
