"""Profiles: declared values apply at once; inferred values wait as proposals until the subscriber confirms.

Matching reads only the ``Profile`` row, so an inferred value is never used before it is confirmed.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.errors import InvalidInput, NotFound
from network.events import emit
from network.ids import utcnow
from network.models import PROFILE_FIELDS, PROFILE_TEXT_FIELDS, GrowthStage, Profile, ProfileProposal
from network.profile_text import merged
from network.services import profile_review
from network.services.subscribers import require_subscriber

DECLARED = "declared"
INFERRED_CONFIRMED = "inferred_confirmed"
_TEXT_LIMIT = 2000


def get_profile(session: Session, subscriber_id: str) -> Profile:
    require_subscriber(session, subscriber_id)
    profile = session.get(Profile, subscriber_id)
    if profile is None:
        profile = Profile(subscriber_id=subscriber_id, sources={})
        session.add(profile)
        session.flush()
    return profile


def clean_value(field: str, value: Any) -> Any:
    """Validate and normalise one profile value, or raise :class:`InvalidInput` naming the field."""
    if field not in PROFILE_FIELDS:
        raise InvalidInput(f"unknown profile field {field!r}", allowed=list(PROFILE_FIELDS))
    if value is None or value == "":
        return None
    try:
        return _CLEANERS.get(field, _text)(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{field}: {exc}") from None


def _text(value: Any) -> str:
    text = str(value).strip()
    if len(text) > _TEXT_LIMIT:
        raise ValueError(f"at most {_TEXT_LIMIT} characters")
    return text


def _naics(value: Any) -> str:
    code = str(value).strip()
    if not re.fullmatch(r"\d{2,6}", code):
        raise ValueError("a NAICS code has 2 to 6 digits")
    return code


def _bounded(low: float, high: float) -> Any:
    def clean(value: Any) -> float:
        number = float(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return clean


def _employees(value: Any) -> int:
    number = int(value)
    if not 0 <= number <= 1_000_000:
        raise ValueError("must be between 0 and 1,000,000")
    return number


def _stage(value: Any) -> str:
    return GrowthStage(str(value).strip().lower()).value


def _country(value: Any) -> str:
    code = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError("use a two-letter ISO 3166 code")
    return code


_CLEANERS: dict[str, Any] = {
    "naics_code": _naics,
    "latitude": _bounded(-90, 90),
    "longitude": _bounded(-180, 180),
    "service_radius_km": _bounded(0, 20_000),
    "employees": _employees,
    "growth_stage": _stage,
    "country": _country,
}


def update_profile(session: Session, subscriber_id: str, changes: dict[str, Any]) -> Profile:
    """Apply values the subscriber declared themselves."""
    cleaned = {field: clean_value(field, value) for field, value in changes.items()}
    profile = get_profile(session, subscriber_id)
    _apply(profile, cleaned, DECLARED)
    session.flush()
    emit(session, "profile.changed", subscriber_id=subscriber_id)
    return profile


def propose(session: Session, subscriber_id: str, changes: dict[str, Any]) -> list[ProfileProposal]:
    """Record inferred values as proposals; they reach the profile only through :func:`confirm`."""
    require_subscriber(session, subscriber_id)
    proposals = []
    for field, value in changes.items():
        cleaned = clean_value(field, value)
        if cleaned is None:
            continue
        for old in pending(session, subscriber_id):
            if old.field == field:
                old.status, old.decided_at = "superseded", utcnow()
        proposal = ProfileProposal(subscriber_id=subscriber_id, field=field, value=str(cleaned))
        session.add(proposal)
        proposals.append(proposal)
    session.flush()
    return proposals


def pending(session: Session, subscriber_id: str) -> list[ProfileProposal]:
    return list(
        session.scalars(
            select(ProfileProposal)
            .where(ProfileProposal.subscriber_id == subscriber_id, ProfileProposal.status == "pending")
            .order_by(ProfileProposal.proposed_at)
        )
    )


def confirm(
    session: Session,
    subscriber_id: str,
    proposal_ids: list[str] | None = None,
    *,
    declared: frozenset[str] = frozenset(),
    added: dict[str, str] | None = None,
) -> Profile:
    """The subscriber confirms proposals (all pending ones when ``proposal_ids`` is None); fields in
    ``declared`` held the subscriber's own words and are recorded as declared. A field in ``added`` gains
    those items on the profile as it stands now (the proposal's full text was computed from an older one, and
    applying it could lose what was saved in between)."""
    chosen = _choose(session, subscriber_id, proposal_ids)
    profile = get_profile(session, subscriber_id)
    values = {p.field: clean_value(p.field, p.value) for p in chosen}
    for field, items in (added or {}).items():
        if field in values:
            values[field] = merged(getattr(profile, field), items) or getattr(profile, field)
    _apply(profile, {f: v for f, v in values.items() if f not in declared}, INFERRED_CONFIRMED)
    _apply(profile, {f: v for f, v in values.items() if f in declared}, DECLARED)
    for proposal in chosen:
        proposal.status, proposal.decided_at = "confirmed", utcnow()
    session.flush()
    emit(session, "profile.changed", subscriber_id=subscriber_id)
    return profile


def reject(session: Session, subscriber_id: str, proposal_ids: list[str] | None = None) -> int:
    chosen = _choose(session, subscriber_id, proposal_ids)
    for proposal in chosen:
        proposal.status, proposal.decided_at = "rejected", utcnow()
    session.flush()
    return len(chosen)


def _choose(session: Session, subscriber_id: str, ids: list[str] | None) -> list[ProfileProposal]:
    open_ones = pending(session, subscriber_id)
    if ids is None:
        return open_ones
    by_id = {p.id: p for p in open_ones}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise NotFound(f"no pending proposal {missing[0]!r} for this subscriber")
    return [by_id[i] for i in ids]


def _apply(profile: Profile, values: dict[str, Any], source: str) -> None:
    sources = dict(profile.sources or {})
    for field, value in values.items():
        setattr(profile, field, value)
        sources[field] = source
    profile.sources = sources
    if any(field in PROFILE_TEXT_FIELDS for field in values):
        profile_review.rescreen(profile)  # held for a person's review before anyone else sees it


def matching_text(profile: Profile) -> dict[str, str]:
    """The confirmed text fields, for retrieval (contact data never lives on the profile)."""
    return {field: getattr(profile, field) or "" for field in PROFILE_TEXT_FIELDS}
