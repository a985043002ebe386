"""Port objects ⇄ TM Forum resources (pure functions, so tests can validate every shape).

Conventions (one place to change them for an operator):
- our correlation id travels as the extension attribute ``correlationId`` of a sub-classed resource
  (``@type`` ``Layer8BillCredit`` / ``Layer8CommercialOutcome`` with ``@baseType`` the TMF resource), which is
  TM Forum's extension pattern, and is read back with attribute filtering (``GET …?correlationId=…``);
- a credit is a TMF654 ``adjustBalance`` of the party's monetary bucket (bucket id = party id), amount in
  major units with ``units`` the ISO 4217 code; a reversal is the same with a negative amount;
- a commercial outcome is a TMF635 ``usage`` (type ``commercialOutcome``) for the receiving party, the deal's
  value in ``usageCharacteristic``;
- on the bill (TMF678 ``appliedCustomerBillingRate``) ``type`` is ``credit``/``debit``/``usage``, the party
  is the ``billingAccount``, and characteristics carry ``correlationId`` (plus ``dealAmount`` and
  ``currency`` for usage).
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any

from network.errors import InvalidAmount
from network.money import exponent
from ossbss.port import CORRELATION_PREFIX, Applied, BillKind, BillWrite, Party

CREDIT_TYPE = "Layer8BillCredit"
USAGE_TYPE = "Layer8CommercialOutcome"
USAGE_KIND = "commercialOutcome"
USAGE_SPEC_ID = "layer8-commercial-outcome"


def to_major(amount_minor: int, currency: str) -> float:
    """Minor units → the JSON number TMF expects (exact for any amount below 2**53 minor units)."""
    return float(Decimal(amount_minor).scaleb(-exponent(currency)))


def to_minor(value: object, currency: str) -> int:
    """A TMF number → minor units; refuses values with more decimals than the currency has."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAmount(f"not a TMF amount: {value!r}")
    scaled = Decimal(repr(value)).scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{value!r} has more decimals than {currency} allows")
    return int(scaled)


def credit_body(write: BillWrite) -> dict[str, Any]:
    """A TMF654 ``AdjustBalance_Create``."""
    return {
        "@type": CREDIT_TYPE,
        "@baseType": "AdjustBalance",
        "correlationId": write.correlation_id,
        "adjustType": "oneTime",
        "usageType": "monetary",
        "amount": {"amount": to_major(write.amount_minor, write.currency), "units": write.currency},
        "bucket": {"id": write.party_id, "name": "monetary balance"},
        "channel": {"id": "layer8", "name": "Layer8"},
        "description": write.description,
        "reason": "referralIncentive" if write.amount_minor >= 0 else "referralIncentiveReversal",
    }


def usage_body(write: BillWrite) -> dict[str, Any]:
    """A TMF635 ``Usage_Create``."""
    major = to_major(write.amount_minor, write.currency)
    return {
        "@type": USAGE_TYPE,
        "@baseType": "Usage",
        "correlationId": write.correlation_id,
        "usageDate": write.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "usageType": USAGE_KIND,
        "description": write.description,
        "status": "received",
        "usageSpecification": {"id": USAGE_SPEC_ID, "name": "Layer8 commercial outcome"},
        "relatedParty": [{"id": write.party_id, "role": "customer", "@referredType": "Organization"}],
        "usageCharacteristic": [
            {"name": "correlationId", "valueType": "string", "value": write.correlation_id},
            {"name": "dealId", "valueType": "string", "value": write.reference_id},
            {"name": "dealAmount", "valueType": "number", "value": major},
            {"name": "currency", "valueType": "string", "value": write.currency},
        ],
    }


def characteristic(items: list[dict[str, Any]] | None, name: str) -> Any:
    for item in items or []:
        if item.get("name") == name:
            return item.get("value")
    return None


def applied_from_adjust(resource: dict[str, Any], sent: BillWrite | None = None) -> Applied:
    """A TMF654 ``AdjustBalance`` (answer or read-back) → :class:`Applied`."""
    amount = resource.get("amount") or {}
    currency = str(amount.get("units") or (sent.currency if sent else ""))
    cid = resource.get("correlationId") or (sent.correlation_id if sent else "")
    party = (resource.get("bucket") or {}).get("id") or (sent.party_id if sent else "")
    value = amount.get("amount")
    minor = to_minor(value, currency) if value is not None else (sent.amount_minor if sent else 0)
    return Applied(BillKind.CREDIT, str(cid), str(party), minor, currency, str(resource.get("id", "")))


def applied_from_usage(resource: dict[str, Any], sent: BillWrite | None = None) -> Applied:
    """A TMF635 ``Usage`` (answer or read-back) → :class:`Applied`."""
    chars = resource.get("usageCharacteristic")
    currency = str(characteristic(chars, "currency") or (sent.currency if sent else ""))
    cid = resource.get("correlationId") or characteristic(chars, "correlationId")
    cid = cid or (sent.correlation_id if sent else "")
    parties = [p for p in resource.get("relatedParty") or [] if p.get("role") == "customer"]
    party = parties[0]["id"] if parties else (sent.party_id if sent else "")
    value = characteristic(chars, "dealAmount")
    minor = to_minor(value, currency) if value is not None else (sent.amount_minor if sent else 0)
    return Applied(BillKind.USAGE, str(cid), str(party), minor, currency, str(resource.get("id", "")))


def applied_from_rate(rate: dict[str, Any]) -> Applied | None:
    """A TMF678 ``AppliedCustomerBillingRate`` → :class:`Applied`, or ``None`` when it is not ours."""
    chars = rate.get("characteristic")
    cid = characteristic(chars, "correlationId")
    if not isinstance(cid, str) or not cid.startswith(CORRELATION_PREFIX):
        return None
    party = str((rate.get("billingAccount") or {}).get("id", ""))
    kind = rate.get("type")
    if kind == "usage":
        currency = str(characteristic(chars, "currency") or "")
        minor = to_minor(characteristic(chars, "dealAmount"), currency)
        return Applied(BillKind.USAGE, cid, party, minor, currency, str(rate["id"]))
    money = rate.get("taxIncludedAmount") or {}
    currency = str(money.get("unit") or "")
    minor = to_minor(money.get("value"), currency)
    sign = -1 if kind == "debit" else 1
    return Applied(BillKind.CREDIT, cid, party, sign * minor, currency, str(rate["id"]))


def party_from_resource(resource: dict[str, Any], kind: str) -> Party:
    """A TMF632 ``Organization``/``Individual`` or TMF629 ``Customer`` → :class:`Party`."""
    name = (
        resource.get("tradingName")
        or resource.get("name")
        or resource.get("fullName")
        or resource.get("formattedName")
        or " ".join(str(resource.get(k, "")) for k in ("givenName", "familyName")).strip()
    )
    status = resource.get("status")
    return Party(str(resource["id"]), str(name or resource["id"]), kind, str(status) if status else None)
