"""What the two TM Forum clients share: the HTTP client they talk through and the schema check they take."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ossbss.tmf.schemas import Api

# validates a body against the official schema's definition; raises on a mismatch (tests and the stub)
Check = Callable[[Api, str, object], None]


def no_check(api: Api, definition: str, instance: object) -> None:
    return None


def http_client(base_url: str, timeout_s: float) -> httpx.Client:
    """JSON over HTTP to the operator's TM Forum APIs; connecting gives up within 5 s whatever the timeout."""
    timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0))
    headers = {"Accept": "application/json", "User-Agent": "layer8-ossbss"}
    return httpx.Client(base_url=base_url, timeout=timeout, headers=headers)
