"""The relay against the in-process TM Forum stub (careless: it applies every POST it gets)."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import select

from network.db import Database
from network.models import AuditEvent, OutboxMessage
from ossbss import outbox
from ossbss.errors import BssRejected
from ossbss.port import Applied, BillKind, BillWrite
from ossbss.reconcile import reconcile
from ossbss.relay import Relay, RelayPolicy
from ossbss.stub import Fault, FaultKind, FaultSchedule, StubStore
from ossbss.tmf.client import TmfBss
from tests.ossbss.helpers import Clock

STEADY = RelayPolicy(max_attempts=4, base_backoff_s=10, jitter=0.0)


def _enqueue(db: Database, clock: Clock, n: int = 1, kind: BillKind = BillKind.CREDIT) -> list[str]:
    cids = []
    with db.transaction() as session:
        for i in range(n):
            cid = f"layer8:{kind.value}:t{i}"
            write = BillWrite(kind, cid, f"party-{i}", 1000 + i, "GBP", "test", f"t{i}", clock())
            outbox.enqueue(session, write, "test", f"t{i}")
            cids.append(cid)
    return cids


def _message(db: Database, cid: str) -> tuple[str, int, str | None, object]:
    with db.read() as session:
        m = session.scalars(select(OutboxMessage).where(OutboxMessage.correlation_id == cid)).one()
        return m.state, m.attempts, m.last_error, m.next_attempt_at


def test_retry_after_is_honoured_then_the_write_lands_once(
    db: Database, tmf: TmfBss, faults: FaultSchedule, stub_store: StubStore
) -> None:
    clock = Clock()
    (cid,) = _enqueue(db, clock)
    relay = Relay(db, tmf, policy=STEADY, clock=clock)
    faults.add(Fault(FaultKind.THROTTLE, retry_after_s=120))
    assert relay.run_once().retried
    state, attempts, error, due = _message(db, cid)
    assert (state, attempts, due) == ("pending", 1, clock.now + timedelta(seconds=120))
    assert error is not None and "429" in error
    clock.advance(seconds=119)
    assert relay.run_once().handled == 0
    clock.advance(seconds=1)
    assert relay.run_once().sent
    assert stub_store.applied_count(cid) == 1


def test_backoff_doubles_and_the_message_is_dead_lettered_after_max_attempts(
    db: Database, tmf: TmfBss, faults: FaultSchedule
) -> None:
    clock = Clock()
    (cid,) = _enqueue(db, clock)
    relay = Relay(db, tmf, policy=STEADY, clock=clock)
    faults.add(*[Fault(FaultKind.ERROR, status=503)] * 10)
    delays = []
    for _ in range(3):
        relay.run_once()
        due = _message(db, cid)[3]
        delays.append((due - clock.now).total_seconds())  # type: ignore[operator]
        clock.now = due  # type: ignore[assignment]
    assert delays == [10, 20, 40]
    assert relay.run_once().dead
    assert _message(db, cid)[0] == "dead"
    faults.clear()
    with db.read() as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.dead")).one()
    assert [d.kind for d in reconcile(db, tmf).differences] == ["dead_lettered"]


def test_an_ambiguous_timeout_is_read_back_and_never_posted_twice(
    db: Database, tmf: TmfBss, faults: FaultSchedule, stub_store: StubStore
) -> None:
    clock = Clock()
    (cid,) = _enqueue(db, clock)
    relay = Relay(db, tmf, policy=STEADY, clock=clock)
    faults.add(Fault(FaultKind.TIMEOUT_AFTER_APPLY))
    assert relay.run_once().retried
    clock.advance(hours=1)
    assert relay.run_once().sent
    assert stub_store.applied_count(cid) == 1
    assert reconcile(db, tmf).clean


def test_a_dead_letter_that_was_applied_after_all_is_requeued_and_settled_by_read_back(
    db: Database, tmf: TmfBss, faults: FaultSchedule, stub_store: StubStore
) -> None:
    clock = Clock()
    (cid,) = _enqueue(db, clock)
    relay = Relay(db, tmf, policy=RelayPolicy(max_attempts=1), clock=clock)
    faults.add(Fault(FaultKind.DROP))
    assert relay.run_once().dead
    assert [d.kind for d in reconcile(db, tmf).differences] == ["applied_not_recorded"]
    with db.transaction() as session:
        message_id = session.scalars(select(OutboxMessage.id)).one()
        outbox.requeue(session, message_id, clock())
    assert relay.run_once().sent
    assert stub_store.applied_count(cid) == 1
    assert reconcile(db, tmf).clean


def test_a_relay_that_dies_mid_post_leaves_the_message_to_its_lease(
    db: Database, tmf: TmfBss, stub_store: StubStore
) -> None:
    class Crash(BaseException):
        pass

    class DiesAfterPosting:
        def post(self, write: BillWrite) -> Applied:
            tmf.post(write)
            raise Crash

        def find(self, kind: BillKind, correlation_id: str) -> Applied | None:
            return tmf.find(kind, correlation_id)

    clock = Clock()
    (cid,) = _enqueue(db, clock)
    with contextlib.suppress(Crash):
        Relay(db, DiesAfterPosting(), clock=clock).run_once()
    relay = Relay(db, tmf, clock=clock)
    assert relay.run_once().handled == 0  # leased
    clock.advance(seconds=RelayPolicy().lease_s)
    assert relay.run_once().sent
    assert stub_store.applied_count(cid) == 1


def test_a_refusal_is_dead_lettered_at_once(db: Database) -> None:
    class Refuses:
        def post(self, write: BillWrite) -> Applied:
            raise BssRejected("TMF654 answered 400: invalidBody")

        def find(self, kind: BillKind, correlation_id: str) -> Applied | None:
            return None

    clock = Clock()
    (cid,) = _enqueue(db, clock)
    assert Relay(db, Refuses(), clock=clock).run_once().dead
    state, attempts, error, _ = _message(db, cid)
    assert (state, attempts) == ("dead", 1) and error is not None and "invalidBody" in error
