"""Building the OSS/BSS parts from settings: the adapter, the incentive rules and the outbox relay."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from assistant.settings import Settings
from network.db import Database
from network.errors import InvalidInput
from network.events import EventBus
from ossbss.embedded import EmbeddedBss
from ossbss.incentives import Incentives
from ossbss.memberships import CustomerSource, MembershipSync
from ossbss.port import OssBss
from ossbss.relay import Relay, RelayPolicy
from ossbss.rewards import load_rules
from ossbss.tmf.client import TmfBss
from ossbss.tmf.customers import MemberRule, TmfCustomers


def build_bss(settings: Settings, db: Database) -> OssBss:
    """The adapter ``settings.bss_adapter`` names: the embedded ledger or TM Forum over HTTP."""
    if settings.bss_adapter == "tmf":
        if not settings.tmf_base_url:
            raise InvalidInput("LAYER8_BSS_ADAPTER=tmf needs LAYER8_TMF_BASE_URL")
        return TmfBss.connect(settings.tmf_base_url, settings.tmf_timeout_s)
    return EmbeddedBss(db)


@cache
def _incentives(rewards_path: Path | None) -> Incentives:
    return Incentives(load_rules(rewards_path))


def incentives(settings: Settings) -> Incentives:
    """The incentive rules of ``settings.rewards_path`` (or the packaged default), loaded once."""
    return _incentives(settings.rewards_path)


def subscribe(events: EventBus, settings: Settings) -> None:
    """Credit the giver when a deal is recorded; reverse when it is voided (same transaction as the deal)."""

    def recorded(session: Session, payload: dict[str, Any]) -> None:
        incentives(settings).on_deal_recorded(session, payload)

    def voided(session: Session, payload: dict[str, Any]) -> None:
        incentives(settings).on_deal_voided(session, payload)

    events.subscribe("deal.recorded", recorded)
    events.subscribe("deal.voided", voided)


def relay(settings: Settings, db: Database, bss: OssBss, policy: RelayPolicy | None = None) -> Relay:
    return Relay(db, bss, policy=policy, on_sent=incentives(settings).on_sent)


def customers(settings: Settings) -> TmfCustomers:
    """The TMF629/TMF632 reader of the operator's customers (``LAYER8_TMF_BASE_URL``)."""
    if not settings.tmf_base_url:
        raise InvalidInput("reading the operator's customers needs LAYER8_TMF_BASE_URL (TMF629/TMF632)")
    return TmfCustomers.connect(settings.tmf_base_url, settings.tmf_timeout_s)


def membership_sync(settings: Settings, db: Database, source: CustomerSource | None = None) -> MembershipSync:
    """Memberships kept in step with the BSS's customers, by ``LAYER8_BSS_MEMBER_RULE``."""
    rule = MemberRule.parse(settings.bss_member_rule)
    return MembershipSync(db, source or customers(settings), rule, tenant=settings.tenant)
