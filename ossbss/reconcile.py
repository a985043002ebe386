"""Reconciliation: our outbox and incentives against what the OSS/BSS bill holds, every difference listed.

Kinds of difference (each names the correlation id):
- ``missing_in_bss``: we recorded it as sent; the bill does not have it;
- ``unknown_in_bss``: the bill has a Layer8 write we never committed (a credit without its row);
- ``applied_more_than_once``: the bill has it twice or more;
- ``mismatch``: party, amount or currency differ;
- ``not_sent_yet`` / ``dead_lettered``: still in the outbox, not on the bill;
- ``applied_not_recorded``: on the bill while our outbox still says pending or dead (an ambiguous failure;
  the relay's read-back settles it);
- ``incentive_without_outbox`` / ``incentive_state``: an incentive that should have a credit but has none, or
  whose state disagrees with its outbox row.
Matched credits whose incentive is ``posted`` become ``confirmed`` (unless ``confirm=False``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from network.actor import Actor
from network.db import Database
from network.models import Incentive, IncentiveState, OutboxMessage, OutboxState
from ossbss.outbox import BILL_KINDS, correlation_id, write_of
from ossbss.port import Applied, BillKind, BillReader

ACTOR = Actor.system("reconciliation")
Confirm = Callable[[Session, list[str]], int]
_NEEDS_CREDIT = {IncentiveState.APPROVED, IncentiveState.POSTED, IncentiveState.CONFIRMED}


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str
    correlation_id: str
    detail: str
    ours: dict[str, Any] | None = None
    theirs: list[dict[str, Any]] | None = None


@dataclass
class Reconciliation:
    matched: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    confirmed: int = 0

    @property
    def clean(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "matched": len(self.matched),
            "confirmed": self.confirmed,
            "differences": [asdict(d) for d in self.differences],
        }


def reconcile(db: Database, bss: BillReader, *, confirm: Confirm | None = None) -> Reconciliation:
    theirs: dict[str, list[Applied]] = defaultdict(list)
    for item in bss.bill_items():
        theirs[item.correlation_id].append(item)
    result = Reconciliation()
    with db.read() as session:
        bill_writes = select(OutboxMessage).where(OutboxMessage.kind.in_(BILL_KINDS))
        messages = list(session.scalars(bill_writes.order_by(OutboxMessage.created_at)))
        by_cid = {m.correlation_id: m for m in messages}
        for message in messages:
            _compare(message, theirs.get(message.correlation_id, []), result)
        for cid, items in theirs.items():
            if cid not in by_cid:
                detail = "on the bill, never committed by Layer8"
                result.differences.append(Difference("unknown_in_bss", cid, detail, None, _plain(items)))
        for incentive in session.scalars(select(Incentive)):
            _check_incentive(incentive, by_cid.get(correlation_id(BillKind.CREDIT, incentive.id)), result)
        credited = [
            by_cid[cid].aggregate_id
            for cid in result.matched
            if by_cid[cid].kind == BillKind.CREDIT and by_cid[cid].aggregate_type == "incentive"
        ]
    if confirm is not None and credited:
        with db.transaction(ACTOR) as session:
            result.confirmed = confirm(session, credited)
    return result


def _compare(message: OutboxMessage, items: list[Applied], result: Reconciliation) -> None:
    cid = message.correlation_id
    ours = {"state": message.state, **message.payload, "kind": message.kind}
    if message.state != OutboxState.SENT:
        if items:
            detail = f"on the bill while our outbox says {message.state}"
            result.differences.append(Difference("applied_not_recorded", cid, detail, ours, _plain(items)))
        else:
            kind = "dead_lettered" if message.state == OutboxState.DEAD else "not_sent_yet"
            result.differences.append(Difference(kind, cid, message.last_error or message.state, ours, None))
        return
    if not items:
        result.differences.append(Difference("missing_in_bss", cid, "sent, but not on the bill", ours, None))
        return
    if len(items) > 1:
        detail = f"applied {len(items)} times"
        result.differences.append(Difference("applied_more_than_once", cid, detail, ours, _plain(items)))
        return
    write, item = write_of(message), items[0]
    wrong = [
        name
        for name, mine, billed in (
            ("kind", write.kind, item.kind),
            ("party", write.party_id, item.party_id),
            ("amount", write.amount_minor, item.amount_minor),
            ("currency", write.currency, item.currency),
        )
        if mine != billed
    ]
    if wrong:
        result.differences.append(
            Difference("mismatch", cid, "differs in " + ", ".join(wrong), ours, _plain(items))
        )
    else:
        result.matched.append(cid)


def _check_incentive(incentive: Incentive, message: OutboxMessage | None, result: Reconciliation) -> None:
    cid = correlation_id(BillKind.CREDIT, incentive.id)
    state = IncentiveState(incentive.state)
    ours = {"incentive": incentive.id, "state": incentive.state, "amount_minor": incentive.amount_minor}
    if message is None:
        if state in _NEEDS_CREDIT:
            result.differences.append(
                Difference("incentive_without_outbox", cid, f"{state} with no credit", ours)
            )
        return
    sent = message.state == OutboxState.SENT
    if state in (IncentiveState.POSTED, IncentiveState.CONFIRMED) and not sent:
        detail = f"incentive {state} but its credit is {message.state}"
        result.differences.append(Difference("incentive_state", cid, detail, ours))
    elif state == IncentiveState.APPROVED and sent:
        result.differences.append(
            Difference("incentive_state", cid, "credit sent but incentive still approved", ours)
        )


def _plain(items: list[Applied]) -> list[dict[str, Any]]:
    return [asdict(item) | {"kind": item.kind.value} for item in items]
