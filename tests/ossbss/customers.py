"""A small operator: TMF632 organizations and TMF629 customers for the membership tests."""

from __future__ import annotations

from typing import Any

from ossbss.stub import StubStore
from ossbss.tmf.schemas import Api, errors


def organization(party_id: str, name: str, email: str | None = None) -> dict[str, Any]:
    org: dict[str, Any] = {
        "id": party_id,
        "tradingName": name,
        "isLegalEntity": True,
        "@type": "Organization",
    }
    if email:
        org["contactMedium"] = [{"mediumType": "email", "characteristic": {"emailAddress": email}}]
    return org


def customer(
    customer_id: str, party_id: str, category: str = "business", status: str = "Approved"
) -> dict[str, Any]:
    return {
        "id": customer_id,
        "href": f"http://stub.test/tmf-api/customerManagement/v4/customer/{customer_id}",
        "name": f"Customer {customer_id}",
        "status": status,
        "engagedParty": {"id": party_id, "@referredType": "Organization"},
        "characteristic": [{"name": "customerCategory", "value": category}],
        "@type": "Customer",
    }


def operator(store: StubStore) -> StubStore:
    """Three business customers and one residential one, every body valid against the official specs."""
    for org in (
        organization("org-1", "Leeds Bakes", "hello@leedsbakes.example"),
        organization("org-2", "Pennine Mills"),
        organization("org-3", "Calder Print"),
        organization("org-4", "A household"),
    ):
        assert not errors(Api.PARTY, "Organization", org)
        store.parties[org["id"]] = org
    for item in (
        customer("cust-1", "org-1"),
        customer("cust-2", "org-2"),
        customer("cust-3", "org-3"),
        customer("cust-4", "org-4", category="residential"),
    ):
        assert not errors(Api.CUSTOMER, "Customer", item)
        store.customers[item["id"]] = item
    return store
