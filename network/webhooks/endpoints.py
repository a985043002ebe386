"""Webhook endpoints: an operator admin registers a URL, the event types it wants and, if it must have
more than ids and states, its scopes (:mod:`network.webhooks.scopes`; none by default).

The signing secret (``whsec_…``, Standard Webhooks) is returned when the endpoint is created and never
again. A disabled endpoint (by an admin, or automatically after failing for long) receives nothing until it
is enabled again; a deleted one is kept, disabled, for its delivery log.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from network import audit
from network.errors import InvalidInput, NotFound
from network.models import WebhookEndpoint
from network.webhooks.catalog import EVENT_TYPES
from network.webhooks.scopes import clean_scopes

ACTIVE = "active"
DISABLED = "disabled"
DELETED = "deleted"
MAX_URL = 2000


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def create(
    session: Session,
    tenant: str,
    url: str,
    event_types: Sequence[str],
    description: str | None = None,
    scopes: Sequence[str] = (),
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        tenant=tenant,
        url=clean_url(url),
        event_types=clean_types(event_types),
        scopes=clean_scopes(scopes),
        description=description,
        secret=new_secret(),
        state=ACTIVE,
        consecutive_failures=0,
    )
    session.add(endpoint)
    session.flush()
    audit.record(
        session,
        "webhook_endpoint.created",
        "webhook_endpoint",
        endpoint.id,
        types=endpoint.event_types,
        scopes=endpoint.scopes,
    )
    return endpoint


def update(
    session: Session,
    tenant: str,
    endpoint_id: str,
    *,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
    scopes: Sequence[str] | None = None,
) -> WebhookEndpoint:
    endpoint = get(session, tenant, endpoint_id)
    if url is not None:
        endpoint.url = clean_url(url)
    if event_types is not None:
        endpoint.event_types = clean_types(event_types)
    if description is not None:
        endpoint.description = description
    if scopes is not None and clean_scopes(scopes) != list(endpoint.scopes):
        endpoint.scopes = clean_scopes(scopes)
        audit.record(
            session, "webhook_endpoint.scoped", "webhook_endpoint", endpoint.id, scopes=endpoint.scopes
        )
    if enabled is True:
        endpoint.state, endpoint.disabled_reason = ACTIVE, None
        endpoint.consecutive_failures, endpoint.failing_since = 0, None
    elif enabled is False:
        disable(session, endpoint, "disabled by an admin")
    session.flush()
    return endpoint


def delete(session: Session, tenant: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = get(session, tenant, endpoint_id)
    disable(session, endpoint, "deleted by an admin")
    endpoint.state = DELETED
    return endpoint


def disable(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    if endpoint.state == ACTIVE:
        endpoint.state, endpoint.disabled_reason = DISABLED, reason
        audit.record(session, "webhook_endpoint.disabled", "webhook_endpoint", endpoint.id, reason=reason)


def get(session: Session, tenant: str, endpoint_id: str) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id) if isinstance(endpoint_id, str) else None
    if endpoint is None or endpoint.tenant != tenant or endpoint.state == DELETED:
        raise NotFound(f"no webhook endpoint {endpoint_id!r}")
    return endpoint


def listed(session: Session, tenant: str) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.tenant == tenant, WebhookEndpoint.state != DELETED)
    return list(session.scalars(query.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)))


def subscribed(session: Session, tenant: str, event_type: str) -> list[WebhookEndpoint]:
    """Active endpoints of ``tenant`` that want ``event_type``."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.tenant == tenant, WebhookEndpoint.state == ACTIVE)
    return [e for e in session.scalars(query.order_by(WebhookEndpoint.id)) if event_type in e.event_types]


def clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > MAX_URL:
        raise InvalidInput("a webhook endpoint is an http(s) URL of at most 2000 characters")
    if parts.username or parts.password:
        raise InvalidInput("put no credentials in a webhook URL; verify our signature instead")
    return url


def clean_types(event_types: Sequence[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown or not chosen:
        raise InvalidInput(
            f"choose event types among {', '.join(EVENT_TYPES)}", unknown=unknown, allowed=list(EVENT_TYPES)
        )
    return chosen
