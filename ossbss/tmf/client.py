"""The TM Forum adapter of the OSS/BSS port: httpx with explicit timeouts, failures classified for the relay.

- a refused connection, 408, 429 and 503 → :class:`BssUnavailable` (not applied; honour ``Retry-After``);
- a timeout or a dropped connection after sending, 500, 502, 504, an unreadable answer →
  :class:`BssOutcomeUnknown` (maybe applied: the relay reads back before it posts again);
- 409 → read back (a BSS that says "already exists" applied it once); other 4xx → :class:`BssRejected`.

``check`` (optional) sees every body sent and every resource parsed with its TMF definition name; tests pass
a schema validator there, so each shape is checked against the official specs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ossbss.errors import BssOutcomeUnknown, BssRejected, BssUnavailable
from ossbss.port import Applied, BillKind, BillWrite, Party
from ossbss.tmf import mapping
from ossbss.tmf.http import Check, http_client, no_check
from ossbss.tmf.schemas import Api, base_path

logger = logging.getLogger(__name__)
PAGE = 500
_NOT_APPLIED = {408, 429, 503}
_MAYBE_APPLIED = {500, 502, 504}


_WRITES: dict[BillKind, tuple[Api, str, str]] = {
    BillKind.CREDIT: (Api.PREPAY_BALANCE, "/adjustBalance", "AdjustBalance"),
    BillKind.USAGE: (Api.USAGE, "/usage", "Usage"),
}


class TmfBss:
    """The :class:`ossbss.port.OssBss` port over TMF632/629/635/654/678 v4."""

    def __init__(self, http: httpx.Client, *, check: Check | None = None) -> None:
        self._http = http
        self._check = check or no_check

    @classmethod
    def connect(cls, base_url: str, timeout_s: float, *, check: Check | None = None) -> TmfBss:
        return cls(http_client(base_url, timeout_s), check=check)

    def close(self) -> None:
        self._http.close()

    # --- writes -------------------------------------------------------------------------------------
    def post(self, write: BillWrite) -> Applied:
        api, path, resource = _WRITES[write.kind]
        body = mapping.credit_body(write) if write.kind is BillKind.CREDIT else mapping.usage_body(write)
        self._check(api, f"{resource}_Create", body)
        try:
            response = self._http.post(
                base_path(api) + path, json=body, headers={"X-Correlation-ID": write.correlation_id}
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise BssUnavailable(f"{api} unreachable: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:  # sent, answer lost: maybe applied
            raise BssOutcomeUnknown(f"{api} {path}: {type(exc).__name__} after sending") from exc
        if response.status_code in (200, 201):
            return self._parse_write(api, resource, response, write)
        if response.status_code == 409:
            found = self.find(write.kind, write.correlation_id)
            if found is not None:
                return found
        raise self._failure(api, response)

    def _parse_write(self, api: Api, resource: str, response: httpx.Response, write: BillWrite) -> Applied:
        try:
            data = response.json()
        except ValueError as exc:
            raise BssOutcomeUnknown(f"{api} answered {response.status_code} with no JSON") from exc
        self._check(api, resource, data)
        if write.kind is BillKind.CREDIT:
            if data.get("status") in ("failed", "cancelled"):
                raise BssRejected(f"{api} adjustBalance {data.get('id')} is {data.get('status')}")
            return mapping.applied_from_adjust(data, write)
        return mapping.applied_from_usage(data, write)

    def _failure(self, api: Api, response: httpx.Response) -> Exception:
        status = response.status_code
        reason = self._error_reason(api, response)
        message = f"{api} answered {status}: {reason}"
        if status in _NOT_APPLIED:
            return BssUnavailable(message, retry_after_s=retry_after(response.headers.get("Retry-After")))
        if status in _MAYBE_APPLIED or status >= 500:
            return BssOutcomeUnknown(message, retry_after_s=retry_after(response.headers.get("Retry-After")))
        return BssRejected(message, status_code=status)

    def _error_reason(self, api: Api, response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return response.reason_phrase or "no reason"
        if not isinstance(data, dict):
            return "no reason"
        self._check(api, "Error", data)
        return str(data.get("reason") or data.get("message") or "no reason")

    def find(self, kind: BillKind, correlation_id: str) -> Applied | None:
        api, path, resource = _WRITES[kind]
        items = self._get_json(api, path, {"correlationId": correlation_id})
        for item in items if isinstance(items, list) else []:
            self._check(api, resource, item)
            parse = mapping.applied_from_adjust if kind is BillKind.CREDIT else mapping.applied_from_usage
            applied = parse(item)
            if applied.correlation_id == correlation_id:
                return applied
        return None

    # --- reads --------------------------------------------------------------------------------------
    def bill_items(self) -> list[Applied]:
        items: list[Applied] = []
        offset = 0
        while True:
            page = self._get_json(
                Api.CUSTOMER_BILL, "/appliedCustomerBillingRate", {"offset": offset, "limit": PAGE}
            )
            rates = page if isinstance(page, list) else []
            for rate in rates:
                self._check(Api.CUSTOMER_BILL, "AppliedCustomerBillingRate", rate)
                applied = mapping.applied_from_rate(rate)
                if applied is not None:
                    items.append(applied)
            if len(rates) < PAGE:
                return items
            offset += PAGE

    def customer_bills(self, party_id: str) -> list[dict[str, Any]]:
        bills = self._get_json(Api.CUSTOMER_BILL, "/customerBill", {"billingAccount.id": party_id})
        result = bills if isinstance(bills, list) else []
        for bill in result:
            self._check(Api.CUSTOMER_BILL, "CustomerBill", bill)
        return result

    def party(self, party_id: str) -> Party | None:
        for kind, definition in (("organization", "Organization"), ("individual", "Individual")):
            data = self._get_json(Api.PARTY, f"/{kind}/{party_id}", None, missing_ok=True)
            if isinstance(data, dict):
                self._check(Api.PARTY, definition, data)
                return mapping.party_from_resource(data, kind)
        return None

    def customer(self, customer_id: str) -> Party | None:
        data = self._get_json(Api.CUSTOMER, f"/customer/{customer_id}", None, missing_ok=True)
        if not isinstance(data, dict):
            return None
        self._check(Api.CUSTOMER, "Customer", data)
        return mapping.party_from_resource(data, "customer")

    def _get_json(
        self, api: Api, path: str, params: dict[str, Any] | None, *, missing_ok: bool = False
    ) -> Any:
        try:
            response = self._http.get(base_path(api) + path, params=params)
        except httpx.TransportError as exc:
            raise BssUnavailable(f"{api} GET {path}: {type(exc).__name__}") from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code != 200:
            failure = self._failure(api, response)
            if isinstance(failure, BssRejected):
                raise failure
            raise BssUnavailable(str(failure), retry_after_s=getattr(failure, "retry_after_s", None))
        try:
            return response.json()
        except ValueError as exc:
            raise BssUnavailable(f"{api} GET {path} answered with no JSON") from exc


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds (RFC 9110: delay-seconds or an HTTP-date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
