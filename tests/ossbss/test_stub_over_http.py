"""The stub as ``layer8 tmf-stub`` runs it: a real HTTP server, faults from its schedule API or a header."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from ossbss.errors import BssOutcomeUnknown, BssUnavailable
from ossbss.port import BillKind, BillWrite
from ossbss.stub import StubStore
from ossbss.tmf.client import TmfBss
from tests.ossbss.helpers import SchemaCheck


def _write(n: int) -> BillWrite:
    when = datetime(2026, 11, 20, tzinfo=UTC)
    cid = f"layer8:credit:http{n}"
    return BillWrite(BillKind.CREDIT, cid, "party-1", 1000 + n, "EUR", "t", f"i{n}", when)


def _schedule(base: str, *faults: dict[str, object]) -> None:
    httpx.delete(f"{base}/stub/faults").raise_for_status()
    httpx.post(f"{base}/stub/faults", json=list(faults)).raise_for_status()


def test_throttle_and_errors_come_back_as_retryable(live_stub: tuple[str, StubStore]) -> None:
    base, store = live_stub
    bss = TmfBss.connect(base, 2.0, check=SchemaCheck())
    _schedule(base, {"kind": "throttle", "retry_after_s": 7}, {"kind": "error", "status": 503})
    with pytest.raises(BssUnavailable) as throttled:
        bss.post(_write(1))
    assert throttled.value.retry_after_s == 7.0
    with pytest.raises(BssUnavailable):
        bss.post(_write(1))
    assert store.applied_count("layer8:credit:http1") == 0
    assert bss.post(_write(1)).amount_minor == 1001


def test_a_timeout_after_applying_is_ambiguous_and_read_back_finds_it(
    live_stub: tuple[str, StubStore],
) -> None:
    base, store = live_stub
    impatient = TmfBss.connect(base, 0.3)
    _schedule(base, {"kind": "timeout_after_apply", "delay_s": 1.5, "method": "POST"})
    with pytest.raises(BssOutcomeUnknown):
        impatient.post(_write(2))
    found = impatient.find(BillKind.CREDIT, "layer8:credit:http2")
    assert found is not None and store.applied_count("layer8:credit:http2") == 1


def test_a_dropped_connection_is_ambiguous(live_stub: tuple[str, StubStore]) -> None:
    base, store = live_stub
    bss = TmfBss.connect(base, 2.0)
    _schedule(base, {"kind": "drop", "method": "POST"})
    with pytest.raises(BssOutcomeUnknown):
        bss.post(_write(3))
    assert store.applied_count("layer8:credit:http3") == 1


def test_a_fault_can_ride_on_a_header_and_a_delay_still_succeeds(live_stub: tuple[str, StubStore]) -> None:
    base, _ = live_stub
    path = f"{base}/tmf-api/usageManagement/v4/usage"
    assert httpx.get(path, headers={"X-Stub-Fault": "error;status=502"}).status_code == 502
    assert httpx.get(path, headers={"X-Stub-Fault": "delay;delay_s=0.05"}).status_code == 200
    assert httpx.post(f"{base}/stub/faults", json={"kind": "nonsense"}).status_code == 422
    assert httpx.get(path, headers={"X-Stub-Fault": "nonsense"}).status_code == 400
