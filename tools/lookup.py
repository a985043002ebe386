"""Finding the other business a person means ("Acme Plumbing", or an id a tool showed earlier).

Only businesses the person may know of are found: discoverable ones in the same tenant, and those they
already share an introduction or a referral with. Blocked pairs, erased accounts and the person themselves
are never found, so a name cannot be used to probe the directory.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from network.errors import InvalidInput, NotFound
from network.models import Introduction, Referral, Subscriber
from network.services.subscribers import is_blocked, require_subscriber
from retrieval.eligibility import discoverable

_ID = re.compile(r"sub_[0-9a-f]{6,}")


def partners(session: Session, me: str) -> set[str]:
    """Businesses with an introduction or referral involving ``me``."""
    found: set[str] = set()
    intros = select(Introduction.requester_id, Introduction.target_id).where(
        or_(Introduction.requester_id == me, Introduction.target_id == me)
    )
    refs = select(Referral.giver_id, Referral.receiver_id).where(
        or_(Referral.giver_id == me, Referral.receiver_id == me)
    )
    for a, b in [*session.execute(intros), *session.execute(refs)]:
        found.update((a, b))
    found.discard(me)
    return found


def find_business(session: Session, me: str, ref: str) -> Subscriber:
    """The business ``ref`` names (id or business name), as ``me`` may see it; else :class:`NotFound`."""
    ref = " ".join((ref or "").split())
    if not ref:
        raise InvalidInput("name the business")
    mine = require_subscriber(session, me)
    match = _ID.search(ref)
    if match:
        candidates = [session.get(Subscriber, match.group(0))]
    else:
        candidates = list(_by_name(session, mine.tenant, ref))
    visible = _visible(session, me, mine.tenant, [c for c in candidates if c is not None])
    if not visible:
        raise NotFound(f"I couldn't find a business called {ref!r} in your network")
    if len(visible) > 1:
        names = ", ".join(sorted(s.business_name for s in visible)[:5])
        raise InvalidInput(f"several businesses match {ref!r}: {names}. Which one?")
    return visible[0]


def _by_name(session: Session, tenant: str, name: str) -> list[Subscriber]:
    lowered = name.lower()
    exact = session.scalars(
        select(Subscriber).where(Subscriber.tenant == tenant, func.lower(Subscriber.business_name) == lowered)
    ).all()
    if exact:
        return list(exact)
    escaped = lowered.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        session.scalars(
            select(Subscriber)
            .where(
                Subscriber.tenant == tenant,
                func.lower(Subscriber.business_name).like(f"%{escaped}%", escape="\\"),
            )
            .limit(20)
        )
    )


def _visible(session: Session, me: str, tenant: str, candidates: list[Subscriber]) -> list[Subscriber]:
    alive = [c for c in candidates if c.id != me and c.status == "active" and c.tenant == tenant]
    if not alive:
        return []
    known = partners(session, me) | discoverable(session, [c.id for c in alive])
    return [c for c in alive if c.id in known and not is_blocked(session, me, c.id)]


ID_HINT = "Only an id a tool showed you; otherwise leave it out and name who or what it is about."


def received_referral(session: Session, me: str, referral_id: str | None) -> Referral | None:
    """The referral ``me`` received that ``referral_id`` names, else ``None``.

    Small models invent ids ("12345", "TOMS_GARAGE"); an id that names nothing of theirs is treated as
    absent, so the caller looks the referral up by the names given instead of refusing the whole request.
    Someone else's referral is never returned.
    """
    if not referral_id:
        return None
    referral = session.get(Referral, referral_id.strip())
    return referral if referral is not None and referral.receiver_id == me else None
