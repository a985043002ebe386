"""Every body we send and every resource we parse, checked against the official TM Forum specs."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ossbss.errors import BssOutcomeUnknown, BssRejected, BssUnavailable
from ossbss.port import BillKind, BillWrite
from ossbss.stub import InProcessTransport, StubStore, create_app
from ossbss.tmf import mapping
from ossbss.tmf.client import TmfBss, retry_after
from ossbss.tmf.schemas import Api, base_path, errors
from tests.ossbss.helpers import SchemaCheck

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def credit(cid: str = "layer8:credit:inc_1", amount: int = 6500, party: str = "party-7") -> BillWrite:
    return BillWrite(BillKind.CREDIT, cid, party, amount, "GBP", "Layer8 referral thank-you", "inc_1", NOW)


def usage(cid: str = "layer8:usage:deal_1", amount: int = 240_000, party: str = "party-9") -> BillWrite:
    return BillWrite(BillKind.USAGE, cid, party, amount, "GBP", "Layer8 commercial outcome", "deal_1", NOW)


def test_the_specs_ship_inside_the_package_with_their_licence_and_commit() -> None:
    root = resources.files("ossbss.tmf.specs")
    for folder in (
        "TMF629_CustomerManagement",
        "TMF632_PartyManagement",
        "TMF635_UsageManagement",
        "TMF654_PrepayBalanceManagement",
        "TMF678_CustomerBill",
    ):
        names = {entry.name for entry in root.joinpath(folder).iterdir()}
        assert {"LICENSE", "COMMIT", "SOURCE.md"} <= names
        assert "Apache License" in root.joinpath(folder, "LICENSE").read_text()


def test_base_paths_come_from_the_specs() -> None:
    assert base_path(Api.PREPAY_BALANCE) == "/tmf-api/prepayBalanceManagement/v4"
    assert base_path(Api.USAGE) == "/tmf-api/usageManagement/v4"
    assert base_path(Api.CUSTOMER_BILL) == "/tmf-api/customerBillManagement/v4"
    assert base_path(Api.PARTY) == "/tmf-api/party/v4"
    assert base_path(Api.CUSTOMER) == "/tmf-api/customerManagement/v4"


@pytest.mark.parametrize(
    "write", [credit(), credit(amount=-6500), usage()], ids=["credit", "reversal", "usage"]
)
def test_request_bodies_meet_the_create_schemas(write: BillWrite, schema_check: SchemaCheck) -> None:
    if write.kind is BillKind.CREDIT:
        schema_check(Api.PREPAY_BALANCE, "AdjustBalance_Create", mapping.credit_body(write))
    else:
        schema_check(Api.USAGE, "Usage_Create", mapping.usage_body(write))


def test_a_whole_session_with_the_stub_validates_every_shape(tmf: TmfBss, schema_check: SchemaCheck) -> None:
    applied = tmf.post(credit())
    assert (applied.kind, applied.party_id, applied.amount_minor, applied.currency) == (
        BillKind.CREDIT,
        "party-7",
        6500,
        "GBP",
    )
    assert tmf.post(credit("layer8:credit:inc_2", -1250)).amount_minor == -1250
    assert tmf.post(usage()).amount_minor == 240_000
    assert tmf.find(BillKind.CREDIT, "layer8:credit:inc_1") == applied
    assert tmf.find(BillKind.USAGE, "layer8:usage:nope") is None
    items = {i.correlation_id: i for i in tmf.bill_items()}
    assert items["layer8:credit:inc_2"].amount_minor == -1250
    assert items["layer8:usage:deal_1"].kind is BillKind.USAGE
    assert tmf.customer_bills("party-7")[0]["billingAccount"]["id"] == "party-7"
    party = tmf.party("party-7")
    assert party is not None and party.kind == "organization"
    customer = tmf.customer("party-7")
    assert customer is not None and customer.kind == "customer"
    assert set(schema_check.seen) == {
        "TMF654:AdjustBalance_Create",
        "TMF654:AdjustBalance",
        "TMF635:Usage_Create",
        "TMF635:Usage",
        "TMF678:AppliedCustomerBillingRate",
        "TMF678:CustomerBill",
        "TMF632:Organization",
        "TMF629:Customer",
    }


def test_the_stub_refuses_a_body_that_breaks_the_schema_with_a_tmf_error() -> None:
    client = httpx.Client(transport=InProcessTransport(create_app()), base_url="http://stub.test")
    path = base_path(Api.PREPAY_BALANCE) + "/adjustBalance"
    response = client.post(path, json={"amount": {"amount": "12"}})
    assert response.status_code == 400
    assert errors(Api.PREPAY_BALANCE, "Error", response.json()) == []
    assert "bucket" in response.json()["message"]


def _answering(status: int, body: object, **headers: str) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=[])
        return httpx.Response(status, json=body, headers=headers)

    return httpx.Client(transport=httpx.MockTransport(handler), base_url="http://bss.test")


ERROR = {"code": "400", "reason": "invalidBody", "@type": "Error"}


@pytest.mark.parametrize(
    ("status", "headers", "expected", "retry_after"),
    [
        (400, {}, BssRejected, None),
        (409, {}, BssRejected, None),  # "exists" but the read-back finds nothing: refuse, do not loop
        (429, {"Retry-After": "7"}, BssUnavailable, 7.0),
        (503, {}, BssUnavailable, None),
        (500, {}, BssOutcomeUnknown, None),
        (504, {}, BssOutcomeUnknown, None),
    ],
)
def test_answers_are_classified_for_the_relay_and_error_bodies_validated(
    status: int, headers: dict[str, str], expected: type, retry_after: float | None, schema_check: SchemaCheck
) -> None:
    bss = TmfBss(_answering(status, ERROR | {"code": str(status)}, **headers), check=schema_check)
    with pytest.raises(expected) as caught:
        bss.post(credit())
    assert type(caught.value) is expected
    assert getattr(caught.value, "retry_after_s", None) == retry_after
    assert schema_check.seen["TMF654:Error"] == 1


def test_retry_after_accepts_an_http_date() -> None:
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert retry_after("Fri, 20 Nov 2026 09:30:45 GMT", now) == 45.0
    assert retry_after("soon", now) is None


def test_the_stub_is_idempotent_by_correlation_id_unless_told_otherwise() -> None:
    for idempotent, expected in ((True, 1), (False, 2)):
        store = StubStore(idempotent=idempotent)
        bss = TmfBss(httpx.Client(transport=InProcessTransport(create_app(store)), base_url="http://s.test"))
        first, second = bss.post(credit()), bss.post(credit())
        assert store.applied_count("layer8:credit:inc_1") == expected
        assert (first.external_id == second.external_id) is idempotent


def test_the_party_api_answers_at_its_spec_path_and_the_partymanagement_alias() -> None:
    client = httpx.Client(transport=InProcessTransport(create_app()), base_url="http://stub.test")
    for prefix in ("/tmf-api/party/v4", "/tmf-api/partyManagement/v4"):
        data = client.get(f"{prefix}/organization/acme").json()
        assert errors(Api.PARTY, "Organization", data) == []
    assert client.get("/tmf-api/party/v4/individual/acme").status_code == 404


CURRENCIES = st.sampled_from(["GBP", "EUR", "USD", "JPY", "KWD", "CLF"])


@given(minor=st.integers(min_value=-(10**13), max_value=10**13), currency=CURRENCIES)
def test_amounts_survive_the_trip_through_tmf_numbers(minor: int, currency: str) -> None:
    assert mapping.to_minor(mapping.to_major(minor, currency), currency) == minor
