"""The append-only, hash-chained audit trail.

Every flush that adds, changes or deletes a record appends one event per record (an ``after_flush`` hook,
so no service can forget); services add their decisions with :func:`record`. Each event's hash covers its
content and the previous hash, so editing or deleting any row breaks the chain at that row.

An event holds ids, states, amounts and codes — never a name, contact data or words a person typed, because
it can never be edited, not even by an erasure. Such words (a reason for voiding a deal or erasing a
subscriber, a token's label) go to an :class:`~network.models.AuditNote` that the event names by
``note_id``: outside the hash, so an erasure wipes or scrubs it like any other record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, event, insert, inspect, select, text
from sqlalchemy.orm import Session, UOWTransaction

from network.actor import SYSTEM, Actor
from network.ids import new_id, utcnow
from network.models import AuditEvent, AuditNote

GENESIS = "0" * 64
_ADVISORY_LOCK = 8_000_008  # serialises appends on PostgreSQL; SQLite's BEGIN IMMEDIATE already does
# values safe to keep in the trail (no free text, no contact data)
_LOGGED_VALUES = {"state", "status", "amount_minor", "currency", "granted", "kind", "mode", "hotness", "role"}


@dataclass(frozen=True, slots=True)
class PendingEvent:
    action: str
    target_type: str
    target_id: str
    data: dict[str, Any]


def record(
    session: Session,
    action: str,
    target_type: str,
    target_id: str,
    *,
    note: str | None = None,
    note_about: str | None = None,
    **data: Any,
) -> None:
    """Append an explicit decision (e.g. ``incentive.held``) to the trail, in the session's transaction.

    ``data`` holds ids, states, amounts and codes only. Words a person typed go in ``note`` (kept as an
    :class:`AuditNote`, named by ``note_id``); ``note_about`` is the subscriber they belong to, if any."""
    actor = session.info.get("actor", SYSTEM)
    connection = session.connection()
    if note:
        data["note_id"] = add_note(connection, note, note_about)
    _append(connection, actor, [PendingEvent(action, target_type, target_id, data)])


def add_note(connection: Connection, text: str, subscriber_id: str | None = None) -> str:
    """Keep ``text`` beside the trail (a Core insert: a note is not itself an audited record)."""
    note_id = new_id("note")
    connection.execute(
        insert(AuditNote).values(
            id=note_id, subscriber_id=subscriber_id, text=text[:2000], created_at=utcnow()
        )
    )
    return note_id


def canonical(row: dict[str, Any]) -> bytes:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(row)).hexdigest()


def hashed_fields(event: AuditEvent | dict[str, Any]) -> dict[str, Any]:
    get = event.get if isinstance(event, dict) else lambda name: getattr(event, name)
    at = get("at")
    return {
        "seq": int(get("seq") or 0),
        "at": at.isoformat() if isinstance(at, datetime) else str(at),
        "actor_kind": get("actor_kind"),
        "actor_id": get("actor_id"),
        "case_id": get("case_id"),
        "action": get("action"),
        "target_type": get("target_type"),
        "target_id": get("target_id"),
        "data": get("data") or {},
    }


def _append(connection: Connection, actor: Actor, events: Iterable[PendingEvent]) -> None:
    events = list(events)
    if not events:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK})
    last = connection.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    rows = []
    for pending in events:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": utcnow(),
            "actor_kind": actor.kind.value,
            "actor_id": actor.id,
            "case_id": actor.case_id,
            "action": pending.action,
            "target_type": pending.target_type,
            "target_id": pending.target_id,
            "data": pending.data,
        }
        row["prev_hash"] = prev
        row["hash"] = prev = compute_hash(prev, hashed_fields(row))
        rows.append(row)
    connection.execute(insert(AuditEvent), rows)


def _target_id(obj: Any) -> str:
    named = getattr(obj, "audit_id", None)  # a record that names itself (a token: by id, not by its hash)
    if isinstance(named, str):
        return named
    state = inspect(obj)
    key = state.identity or state.mapper.primary_key_from_instance(obj)
    if key and all(part is not None for part in key):
        return ":".join(str(part) for part in key)
    return str(getattr(obj, "id", None) or "?")


def _changes(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    changed: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if not history.has_changes():
            continue
        if attr.key in _LOGGED_VALUES:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changed[attr.key] = [old, new]
        else:
            changed[attr.key] = "changed"
    return changed


def _events_for_flush(session: Session) -> Iterator[PendingEvent]:
    for kind, objects in (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if isinstance(obj, (AuditEvent, AuditNote)):
                continue
            if kind == "updated" and not session.is_modified(obj, include_collections=False):
                continue
            table = obj.__table__.name
            data = _changes(obj) if kind != "deleted" else {}
            if kind == "created":
                data = {k: v for k, v in data.items() if v != "changed" or k in _LOGGED_VALUES}
                data = {k: (v[1] if isinstance(v, list) else v) for k, v in data.items()}
            extra = getattr(obj, "audit_data", None)
            if callable(extra) and kind != "deleted":
                data |= extra()
            words = getattr(obj, "audit_note", None)  # e.g. a token's label: beside the trail, not in it
            noted = words() if callable(words) and kind == "created" else None
            if noted:
                data["note_id"] = add_note(session.connection(), *noted)
            yield PendingEvent(f"{table}.{kind}", table, _target_id(obj), data)


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _flush: UOWTransaction) -> None:
    events = list(_events_for_flush(session))
    if events:
        _append(session.connection(), session.info.get("actor", SYSTEM), events)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str | None = None


def verify(session: Session, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or hash does not hold."""
    prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return VerifyResult(True, checked)
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"row {expected_seq} is missing")
            if row.prev_hash != prev:
                return VerifyResult(False, checked, row.seq, "its prev_hash does not match the row before")
            if compute_hash(prev, hashed_fields(row)) != row.hash:
                return VerifyResult(False, checked, row.seq, "its content does not match its hash")
            prev, expected_seq, checked, last_seq = row.hash, expected_seq + 1, checked + 1, row.seq
        session.expunge_all()
