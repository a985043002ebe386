"""What an endpoint may receive beyond ids and states.

Without a scope an event carries the record's public view only (:mod:`network.webhooks.catalog`). The
``contacts`` scope, which only an admin can give an endpoint, adds to ``introduction.accepted`` what the
acceptance itself made shareable: each party's contact card, from :func:`network.services.introductions.
contact_card` — the function that shows them to the parties. No other event gains anything.

The card is added when a delivery is claimed, from the records as they are then, and is never written to the
outbox: a party erased after the event (or before a replay) is sent as ``null``, and the delivery log holds
no contact details to scrub.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from network.errors import InvalidInput
from network.models import Introduction, IntroductionState, Subscriber
from network.services import introductions
from network.services.erasure import ERASED

CONTACTS = "contacts"
SCOPES = (CONTACTS,)
SHARES = {CONTACTS: ("introduction.accepted",)}  # scope → the events it widens


def clean_scopes(scopes: Sequence[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise InvalidInput(f"choose scopes among {', '.join(SCOPES)}", unknown=unknown, allowed=list(SCOPES))
    return chosen


def widened(session: Session, scopes: Sequence[str], body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as an endpoint with ``scopes`` receives it now (a copy; the stored body is untouched)."""
    if CONTACTS not in scopes or body.get("type") not in SHARES[CONTACTS]:
        return body
    data = dict(body.get("data") or {})
    data["contacts"] = _contacts(session, str(data.get("id", "")))
    return {**body, "data": data}


def _contacts(session: Session, introduction_id: str) -> dict[str, dict[str, Any] | None] | None:
    """Each party's card as the other party is shown it on acceptance; ``None`` for one erased since."""
    intro = session.get(Introduction, introduction_id) if introduction_id else None
    if intro is None or intro.state != IntroductionState.ACCEPTED:
        return None  # contact details cross only on acceptance (accepted is final: this is defence)
    return {
        "requester": _card(session, intro.id, viewer_id=intro.target_id),
        "target": _card(session, intro.id, viewer_id=intro.requester_id),
    }


def _card(session: Session, introduction_id: str, viewer_id: str) -> dict[str, Any] | None:
    card = introductions.contact_card(session, introduction_id, viewer_id)
    party = session.get(Subscriber, card.subscriber_id)
    if party is None or party.status == ERASED:
        return None
    return asdict(card)
