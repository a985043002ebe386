"""The OSS/BSS port: what Layer8 needs from an operator's billing and customer systems.

Two adapters implement it: :mod:`ossbss.embedded` (a ledger in our own database) and :mod:`ossbss.tmf`
(TM Forum Open APIs over HTTP). Writes carry our correlation id so a retry can be recognised and read back;
amounts are integer minor units plus an ISO 4217 code (a credit reversal is a negative credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

CORRELATION_PREFIX = "layer8:"


class BillKind(StrEnum):
    USAGE = "usage"  # TMF635: the commercial outcome of a deal
    CREDIT = "credit"  # TMF654 adjustBalance: a bill credit (negative: a reversal)


@dataclass(frozen=True, slots=True)
class Party:
    """A party (TMF632 organization or individual) or a customer (TMF629) as Layer8 sees it."""

    id: str
    name: str
    kind: str  # "organization" | "individual" | "customer"
    status: str | None = None


@dataclass(frozen=True, slots=True)
class BillWrite:
    """A usage record or a credit to apply once, recognised by ``correlation_id``."""

    kind: BillKind
    correlation_id: str
    party_id: str
    amount_minor: int
    currency: str
    description: str
    reference_id: str  # the deal (usage) or incentive (credit) behind it
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Applied:
    """What the OSS/BSS holds for one of our writes: the answer to a post, a read-back or a bill read."""

    kind: BillKind
    correlation_id: str
    party_id: str
    amount_minor: int
    currency: str
    external_id: str


class PartyReader(Protocol):
    def party(self, party_id: str) -> Party | None:
        """The TMF632 party (organization, else individual), or ``None``."""
        ...

    def customer(self, customer_id: str) -> Party | None:
        """The TMF629 customer, or ``None``."""
        ...


class BillWriter(Protocol):
    def post(self, write: BillWrite) -> Applied:
        """Apply ``write``; raises :class:`ossbss.errors.BssError` subclasses saying what to do next."""
        ...

    def find(self, kind: BillKind, correlation_id: str) -> Applied | None:
        """Read back a write by correlation id (before retrying an ambiguous failure)."""
        ...


class BillReader(Protocol):
    def bill_items(self) -> list[Applied]:
        """Every applied usage and credit carrying a Layer8 correlation id (TMF678 applied rates)."""
        ...


class OssBss(PartyReader, BillWriter, BillReader, Protocol):
    """The whole port, as the composition root hands it out."""
