"""TMF629 customers (with their TMF632 party) as Layer8 memberships, and the TMF629 event hub.

Conventions (one place to change them for an operator):
- which customers are members is a rule on a customer ``characteristic`` (the setting
  ``LAYER8_BSS_MEMBER_RULE``, e.g. ``customerCategory=business`` or ``segment=smallBusiness|soho``);
- a customer has left the operator when its ``status`` is one of :data:`ENDED_STATUSES` (any case) or its
  ``validFor.endDateTime`` has passed;
- the business name is the party's ``tradingName`` (else its name, else the customer's name); e-mail and
  phone come from the party's ``contactMedium``, else the customer's;
- the hub (``POST /hub``) is given our callback base; the BSS posts each event to
  ``<callback>/listener/<eventName>``, the paths the spec names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from network.errors import InvalidInput
from network.services.memberships import Member
from ossbss.errors import BssRejected, BssUnavailable
from ossbss.tmf.http import Check, http_client, no_check
from ossbss.tmf.schemas import Api, base_path

Resource = dict[str, Any]
PAGE = 200
ENDED_STATUSES = frozenset({"terminated", "closed", "inactive", "cancelled", "canceled", "churned"})
EVENT_TYPES = (
    "customerCreateEvent",
    "customerAttributeValueChangeEvent",
    "customerStateChangeEvent",
    "customerDeleteEvent",
)


def definition_of(event_type: str) -> str:
    """``customerCreateEvent`` → ``CustomerCreateEvent`` (the spec's definition name)."""
    if event_type not in EVENT_TYPES:
        raise InvalidInput(f"not a TMF629 event: {event_type!r}")
    return event_type[0].upper() + event_type[1:]


@dataclass(frozen=True, slots=True)
class MemberRule:
    """Customers whose characteristic ``name`` has one of ``values`` are Layer8 members."""

    name: str
    values: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> MemberRule:
        name, sep, values = text.partition("=")
        wanted = frozenset(v.strip() for v in values.split("|") if v.strip())
        if not sep or not name.strip() or not wanted:
            raise InvalidInput(f"a member rule is 'characteristic=value|value', not {text!r}")
        return cls(name.strip(), wanted)

    def matches(self, customer: Resource) -> bool:
        for item in customer.get("characteristic") or []:
            if isinstance(item, dict) and item.get("name") == self.name:
                return str(item.get("value")) in self.values
        return False


def ended(customer: Resource, now: datetime | None = None) -> bool:
    if str(customer.get("status") or "").strip().lower() in ENDED_STATUSES:
        return True
    end = (customer.get("validFor") or {}).get("endDateTime")
    if not isinstance(end, str):
        return False
    try:
        when = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return False
    return when.tzinfo is not None and when <= (now or datetime.now(UTC))


def party_id(customer: Resource) -> str:
    return str((customer.get("engagedParty") or {}).get("id") or customer.get("id"))


def member(customer: Resource, party: Resource | None, *, active: bool | None = None) -> Member:
    """The membership a customer stands for (``active`` False when the customer has ended)."""
    party = party or {}
    name = party.get("tradingName") or party.get("name") or customer.get("name") or customer.get("id")
    media = [*(party.get("contactMedium") or []), *(customer.get("contactMedium") or [])]
    return Member(
        customer_id=str(customer["id"]),
        party_id=party_id(customer),
        business_name=str(name)[:200],
        active=not ended(customer) if active is None else active,
        contact_email=_medium(media, "emailAddress"),
        contact_phone=_medium(media, "phoneNumber"),
    )


def _medium(media: list[Any], key: str) -> str | None:
    for medium in media:
        value = ((medium or {}).get("characteristic") or {}).get(key)
        if value:
            return str(value)
    return None


class TmfCustomers:
    """Reads TMF629 customers and TMF632 parties; registers and removes TMF629 hub listeners."""

    def __init__(self, http: httpx.Client, *, check: Check | None = None) -> None:
        self._http = http
        self._check = check or no_check

    @classmethod
    def connect(cls, base_url: str, timeout_s: float, *, check: Check | None = None) -> TmfCustomers:
        return cls(http_client(base_url, timeout_s), check=check)

    def close(self) -> None:
        self._http.close()

    def customers(self) -> Iterator[Resource]:
        offset = 0
        while True:
            page = self._get(Api.CUSTOMER, "/customer", {"offset": offset, "limit": PAGE})
            items = page if isinstance(page, list) else []
            for item in items:
                self._check(Api.CUSTOMER, "Customer", item)
                yield item
            if len(items) < PAGE:
                return
            offset += PAGE

    def party(self, party_id: str) -> Resource | None:
        for kind, definition in (("organization", "Organization"), ("individual", "Individual")):
            found = self._get(Api.PARTY, f"/{kind}/{party_id}", None, missing_ok=True)
            if isinstance(found, dict):
                self._check(Api.PARTY, definition, found)
                return found
        return None

    def register_listener(self, callback: str, query: str | None = None) -> Resource:
        """``POST /hub``: the BSS will post TMF629 events under ``callback``; returns the subscription."""
        body: Resource = {"callback": callback} | ({"query": query} if query else {})
        self._check(Api.CUSTOMER, "EventSubscriptionInput", body)
        response = self._send("POST", "/hub", body)
        if response.status_code not in (200, 201):
            raise BssRejected(f"TMF629 hub answered {response.status_code}", status_code=response.status_code)
        subscription: Resource = response.json()
        self._check(Api.CUSTOMER, "EventSubscription", subscription)
        return subscription

    def unregister_listener(self, subscription_id: str) -> None:
        response = self._send("DELETE", f"/hub/{subscription_id}", None)
        if response.status_code not in (200, 204, 404):
            raise BssRejected(f"TMF629 hub answered {response.status_code}", status_code=response.status_code)

    def _send(self, method: str, path: str, body: Resource | None) -> httpx.Response:
        try:
            return self._http.request(method, base_path(Api.CUSTOMER) + path, json=body)
        except httpx.TransportError as exc:
            raise BssUnavailable(f"TMF629 {method} {path}: {type(exc).__name__}") from exc

    def _get(self, api: Api, path: str, params: dict[str, Any] | None, *, missing_ok: bool = False) -> Any:
        try:
            response = self._http.get(base_path(api) + path, params=params)
        except httpx.TransportError as exc:
            raise BssUnavailable(f"{api} GET {path}: {type(exc).__name__}") from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code != 200:
            raise BssUnavailable(f"{api} GET {path} answered {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise BssUnavailable(f"{api} GET {path} answered with no JSON") from exc
