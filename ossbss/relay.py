"""The outbox relay: posts committed writes to the OSS/BSS so each is applied exactly once.

One pass (:meth:`Relay.run_once`):
1. *claim* due messages in a short transaction: ``attempts += 1`` and a lease (``next_attempt_at = now +
   lease``), with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two relays never hold the same message and a
   relay that dies mid-post leaves it to be retried when the lease ends;
2. *deliver*: a message that was tried before (a retry, a crash, a requeue) is first **read back** by
   correlation id; only if the BSS does not have it is it posted again — so an ambiguous timeout never
   becomes a second credit;
3. *record* the outcome: ``sent`` (and the ``on_sent`` hook, e.g. incentive → posted), a retry after
   exponential backoff with jitter or the server's ``Retry-After``, or ``dead`` after ``max_attempts`` or a
   refusal no retry can fix.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import audit
from network.actor import Actor
from network.db import Database
from network.ids import utcnow
from network.models import OutboxMessage, OutboxState
from ossbss.errors import BssError, BssRejected, BssUnavailable
from ossbss.outbox import BILL_KINDS, write_of
from ossbss.port import Applied, BillWrite, BillWriter

logger = logging.getLogger(__name__)
ACTOR = Actor.system("outbox-relay")
OnSent = Callable[[Session, OutboxMessage], None]


@dataclass(frozen=True, slots=True)
class RelayPolicy:
    max_attempts: int = 8
    base_backoff_s: float = 2.0
    max_backoff_s: float = 900.0
    max_retry_after_s: float = 3600.0
    jitter: float = 0.25
    lease_s: float = 300.0  # longer than any post can take (timeouts ≤ 30 s per phase)
    batch: int = 50

    def backoff(self, attempts: int, rng: random.Random) -> float:
        delay = min(self.max_backoff_s, self.base_backoff_s * 2.0 ** max(0, attempts - 1))
        return float(delay * (1 + self.jitter * rng.random()))


@dataclass(frozen=True, slots=True)
class Claimed:
    id: str
    attempts: int
    retried: bool
    write: BillWrite


@dataclass
class RelayReport:
    sent: list[str] = field(default_factory=list)
    retried: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    next_due: datetime | None = None  # when the earliest pending message is due after this pass

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.dead)


class Relay:
    def __init__(
        self,
        db: Database,
        bss: BillWriter,
        *,
        policy: RelayPolicy | None = None,
        on_sent: OnSent | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._bss = bss
        self.policy = policy or RelayPolicy()
        self._on_sent = on_sent
        self._clock = clock
        self._rng = rng or random.Random()

    def run_once(self) -> RelayReport:
        """Deliver every message due now (one attempt each); an idle pass only reads (no write lock)."""
        report = RelayReport()
        due = self.next_due()
        if due is not None and due <= self._clock():
            for claimed in self._claim():
                self._deliver(claimed, report)
            due = self.next_due()
        report.next_due = due
        return report

    def next_due(self) -> datetime | None:
        """When the earliest pending message is due (``None``: nothing pending)."""
        with self._db.read() as session:
            return session.scalar(
                select(OutboxMessage.next_attempt_at)
                .where(OutboxMessage.state == OutboxState.PENDING.value, OutboxMessage.kind.in_(BILL_KINDS))
                .order_by(OutboxMessage.next_attempt_at)
                .limit(1)
            )

    def _claim(self) -> list[Claimed]:
        now = self._clock()
        with self._db.transaction(ACTOR) as session:
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.state == OutboxState.PENDING.value,
                    OutboxMessage.kind.in_(BILL_KINDS),
                    OutboxMessage.next_attempt_at <= now,
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(self.policy.batch)
            )
            if self._db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            claimed = []
            for message in session.scalars(query):
                retried = message.attempts > 0 or message.last_error is not None
                message.attempts += 1
                message.next_attempt_at = now + timedelta(seconds=self.policy.lease_s)
                claimed.append(Claimed(message.id, message.attempts, retried, write_of(message)))
            return claimed

    def _deliver(self, claimed: Claimed, report: RelayReport) -> None:
        write = claimed.write
        try:
            applied = self._bss.find(write.kind, write.correlation_id) if claimed.retried else None
            if applied is None:
                applied = self._bss.post(write)
        except BssError as exc:
            self._failed(claimed, exc, report)
            return
        self._succeeded(claimed, applied, report)

    def _succeeded(self, claimed: Claimed, applied: Applied, report: RelayReport) -> None:
        with self._db.transaction(ACTOR) as session:
            message = session.get(OutboxMessage, claimed.id)
            if message is None or message.state == OutboxState.SENT:
                return
            message.state = OutboxState.SENT.value
            message.sent_at = self._clock()
            message.external_id = applied.external_id[:120] or None
            message.last_error = None
            if self._on_sent is not None:
                self._on_sent(session, message)
        report.sent.append(claimed.id)
        logger.info("outbox %s sent as %s", claimed.write.correlation_id, applied.external_id)

    def _failed(self, claimed: Claimed, exc: BssError, report: RelayReport) -> None:
        now = self._clock()
        final = isinstance(exc, BssRejected) or claimed.attempts >= self.policy.max_attempts
        with self._db.transaction(ACTOR) as session:
            message = session.get(OutboxMessage, claimed.id)
            if message is None or message.state != OutboxState.PENDING:
                return
            message.last_error = f"{exc.code}: {exc.message}"[:2000]
            if final:
                message.state = OutboxState.DEAD.value
                audit.record(
                    session,
                    "outbox.dead",
                    "outbox",
                    message.id,
                    correlation_id=message.correlation_id,
                    attempts=message.attempts,
                    error=exc.code,
                )
            else:
                message.next_attempt_at = now + timedelta(seconds=self._delay(claimed.attempts, exc))
        (report.dead if final else report.retried).append(claimed.id)
        logger.warning(
            "outbox %s attempt %d failed: %s", claimed.write.correlation_id, claimed.attempts, exc.code
        )

    def _delay(self, attempts: int, exc: BssError) -> float:
        hinted = exc.retry_after_s if isinstance(exc, BssUnavailable) else None
        if hinted is not None:
            return min(max(hinted, 0.0), self.policy.max_retry_after_s)
        return self.policy.backoff(attempts, self._rng)
