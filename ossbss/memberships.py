"""Keeping Layer8's memberships in step with the operator's customers: a full sync and TMF629 events.

``MembershipSync.run()`` reads every TMF629 customer (and its TMF632 party) and creates, updates, ends or
brings back memberships; customers Layer8 got from the BSS that are no longer listed, or no longer match
the member rule, are ended too. ``on_event`` applies one notification from the hub; each ``eventId`` is
applied once (a receipt in ``inbound_events``), and applying a customer is idempotent anyway, so a replayed
event changes nothing twice. Each customer is its own transaction: one bad record does not stop the rest.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from network import dedup
from network.actor import Actor
from network.db import Database
from network.services import memberships
from network.services.memberships import Member, Outcome
from ossbss.tmf.customers import MemberRule, definition_of, member, party_id

logger = logging.getLogger(__name__)
CHANNEL = "tmf629"  # the de-duplication receipts' channel
ACTOR = Actor.system("bss-sync")
Resource = dict[str, Any]


class CustomerSource(Protocol):
    def customers(self) -> Iterator[Resource]: ...

    def party(self, party_id: str) -> Resource | None: ...


@dataclass
class SyncReport:
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.value] += 1

    def as_json(self) -> dict[str, int]:
        return {o.value: self.outcomes[o.value] for o in Outcome}


class MembershipSync:
    def __init__(self, db: Database, source: CustomerSource, rule: MemberRule, *, tenant: str) -> None:
        self.db = db
        self.source = source
        self.rule = rule
        self.tenant = tenant

    def run(self) -> SyncReport:
        report = SyncReport()
        seen: set[str] = set()
        for customer in self.source.customers():
            seen.add(str(customer["id"]))
            report.add(self._apply(customer, source="sync"))
        with self.db.read() as session:
            known = {cid for cid, s in memberships.members_from_bss(session).items() if s.status == "active"}
        for customer_id in sorted(known - seen):
            report.add(self._end(customer_id, reason="not_in_bss", source="sync"))
        logger.info("membership sync: %s", report.as_json())
        return report

    def on_event(self, event_type: str, body: Resource) -> Outcome | None:
        """Apply one TMF629 notification; ``None`` when this event was applied before."""
        definition_of(event_type)  # refuses an unknown type
        event_id = str(body.get("eventId") or _digest(body))
        if not dedup.first_time(self.db, CHANNEL, event_id, event_type):
            return None
        customer = (body.get("event") or {}).get("customer") or {}
        if event_type == "customerDeleteEvent":
            outcome = self._end(str(customer.get("id")), reason="deleted", source="listener")
        else:
            outcome = self._apply(customer, source="listener")
        dedup.mark(self.db, CHANNEL, event_id, outcome.value)
        return outcome

    def _apply(self, customer: Resource, *, source: str) -> Outcome:
        wanted = self.rule.matches(customer)
        party = self.source.party(party_id(customer)) if wanted else None
        found = member(customer, party)
        if not wanted:
            found = Member(found.customer_id, found.party_id, found.business_name, active=False)
        with self.db.transaction(ACTOR) as session:
            if not wanted and memberships.find(session, found.customer_id) is None:
                return Outcome.SKIPPED
            return memberships.apply(session, found, tenant=self.tenant, source=source)

    def _end(self, customer_id: str, *, reason: str, source: str) -> Outcome:
        with self.db.transaction(ACTOR) as session:
            subscriber = memberships.find(session, customer_id)
            if subscriber is None:
                return Outcome.SKIPPED
            ended = memberships.end(session, subscriber, reason=reason, source=source)
            return Outcome.ENDED if ended is not None else Outcome.UNCHANGED


def _digest(body: Resource) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
