"""One small error hierarchy with stable codes.

Each edge translates these: problem+json on HTTP (``status``), a polite sentence in chat, one line and a
non-zero exit on the CLI. The ``code`` is a contract: operators and clients match on it.
"""

from __future__ import annotations

from typing import Any


class Layer8Error(Exception):
    code = "layer8_error"
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(Layer8Error):
    code = "invalid_input"
    status = 422


class InvalidAmount(InvalidInput):
    code = "invalid_amount"


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"


class NotFound(Layer8Error):
    code = "not_found"
    status = 404


class IllegalTransition(Layer8Error):
    code = "illegal_transition"
    status = 409


class IdempotencyConflict(Layer8Error):
    code = "idempotency_conflict"
    status = 409


class Conflict(Layer8Error):
    code = "conflict"
    status = 409


class SelfReferral(InvalidInput):
    code = "self_referral"


class ConsentRequired(Layer8Error):
    code = "consent_required"
    status = 403


class Unauthenticated(Layer8Error):
    code = "unauthenticated"
    status = 401


class PermissionDenied(Layer8Error):
    code = "forbidden"
    status = 403


class ExternalServiceError(Layer8Error):
    code = "external_service_error"
    status = 502


class ModelUnavailable(ExternalServiceError):
    code = "model_unavailable"
    status = 503


class RateLimited(Layer8Error):
    """Too many requests from one subscriber, token, address or sender: try again after ``retry_after`` s."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class Busy(Layer8Error):
    """Too much work waiting (e.g. the in-process turn queue is full): try again shortly."""

    code = "busy"
    status = 503


class StorageUnavailable(Layer8Error):
    """The records (the database) could not be reached for a moment: a queued turn runs again later."""

    code = "storage_unavailable"
    status = 503


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"


class CaseRequired(PermissionDenied):
    """An agent acts (and reads a subscriber's records) only inside an open, authenticated case."""

    code = "case_required"


class ErasureIncomplete(Layer8Error):
    """An erasure ran but a store still holds the erased text (the store names are in the message)."""

    code = "erasure_incomplete"
    status = 500
