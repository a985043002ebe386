"""How the stub turns what it receives into TMF resources and bill lines (TMF678 applied billing rates)."""

from __future__ import annotations

from typing import Any

from ossbss.stub.store import Resource, now_iso
from ossbss.tmf.mapping import characteristic


def error(status: int, reason: str, message: str | None = None) -> Resource:
    """A TMF ``Error`` body."""
    body: Resource = {"code": str(status), "reason": reason, "status": str(status), "@type": "Error"}
    if message:
        body["message"] = message
    return body


def adjust_balance(body: Resource, resource_id: str, href: str, correlation_id: str) -> Resource:
    stamp = now_iso()
    resource = dict(body) | {
        "id": resource_id,
        "href": href,
        "status": "completed",
        "requestedDate": stamp,
        "confirmationDate": stamp,
        "partyAccount": {"id": str(body["bucket"]["id"])},
    }
    if correlation_id:
        resource["correlationId"] = correlation_id
    return resource


def credit_rate(resource: Resource, rate_href: str) -> Resource:
    amount = float(resource["amount"].get("amount", 1))
    return {
        "id": f"acbr-{resource['id']}",
        "href": rate_href,
        "name": "Layer8 bill credit",
        "type": "credit" if amount >= 0 else "debit",
        "date": resource["confirmationDate"],
        "isBilled": False,
        "description": str(resource.get("description", "")),
        "billingAccount": {"id": str(resource["bucket"]["id"])},
        "taxIncludedAmount": {"unit": str(resource["amount"].get("units", "")), "value": abs(amount)},
        "taxExcludedAmount": {"unit": str(resource["amount"].get("units", "")), "value": abs(amount)},
        "characteristic": _chars(
            correlationId=resource.get("correlationId", ""), adjustBalanceId=resource["id"]
        ),
        "@type": "AppliedCustomerBillingRate",
    }


def usage(body: Resource, resource_id: str, href: str, correlation_id: str) -> Resource:
    resource = dict(body) | {"id": resource_id, "href": href, "status": "rated"}
    if correlation_id:
        resource["correlationId"] = correlation_id
    return resource


def usage_party(resource: Resource) -> str:
    parties = resource.get("relatedParty") or []
    customers = [p for p in parties if p.get("role") == "customer"] or parties
    return str(customers[0]["id"]) if customers else ""


def usage_rate(resource: Resource, rate_href: str) -> Resource:
    chars = resource.get("usageCharacteristic")
    currency = str(characteristic(chars, "currency") or "")
    return {
        "id": f"acbr-{resource['id']}",
        "href": rate_href,
        "name": "Layer8 commercial outcome",
        "type": "usage",
        "date": resource.get("usageDate") or now_iso(),
        "isBilled": False,
        "description": str(resource.get("description", "")),
        "billingAccount": {"id": usage_party(resource)},
        # the stub charges nothing for an outcome; an operator's rating engine would price it here
        "taxIncludedAmount": {"unit": currency, "value": 0.0},
        "characteristic": _chars(
            correlationId=resource.get("correlationId") or characteristic(chars, "correlationId") or "",
            usageId=resource["id"],
            dealAmount=characteristic(chars, "dealAmount"),
            currency=currency,
        ),
        "@type": "AppliedCustomerBillingRate",
    }


def customer_bills(rates: list[Resource], base_href: str) -> list[Resource]:
    """One open bill per billing account and currency, netting charges against credits."""
    totals: dict[tuple[str, str], float] = {}
    for rate in rates:
        key = (str(rate["billingAccount"]["id"]), str(rate["taxIncludedAmount"]["unit"]))
        value = float(rate["taxIncludedAmount"]["value"])
        totals[key] = totals.get(key, 0.0) + (-value if rate["type"] == "credit" else value)
    return [
        {
            "id": f"bill-{party}-{currency}",
            "href": f"{base_href}/bill-{party}-{currency}",
            "billNo": f"{party}-{currency}",
            "billDate": now_iso(),
            "runType": "onCycle",
            "category": "normal",
            "state": "new",
            "billingAccount": {"id": party},
            "amountDue": {"unit": currency, "value": round(total, 6)},
            "@type": "CustomerBill",
        }
        for (party, currency), total in sorted(totals.items())
    ]


def organization(party_id: str, href: str) -> Resource:
    return {
        "id": party_id,
        "href": href,
        "name": f"Party {party_id}",
        "tradingName": f"Party {party_id}",
        "isLegalEntity": True,
        "status": "validated",
        "@type": "Organization",
    }


def customer(customer_id: str, href: str) -> Resource:
    return {
        "id": customer_id,
        "href": href,
        "name": f"Customer {customer_id}",
        "status": "Approved",
        "engagedParty": {"id": customer_id, "@referredType": "Organization"},
        "@type": "Customer",
    }


def _chars(**values: Any) -> list[Resource]:
    return [{"name": name, "value": value} for name, value in values.items() if value not in (None, "")]
