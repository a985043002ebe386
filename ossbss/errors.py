"""How an OSS/BSS call failed, phrased as what the relay must do next."""

from __future__ import annotations

from network.errors import ExternalServiceError


class BssError(ExternalServiceError):
    """Base of OSS/BSS failures."""

    code = "bss_error"


class BssUnavailable(BssError):
    """Not applied (the request was refused before any effect): retry later, after ``retry_after_s``."""

    code = "bss_unavailable"
    status = 503

    def __init__(self, message: str, *, retry_after_s: float | None = None, **details: object) -> None:
        super().__init__(message, **details)
        self.retry_after_s = retry_after_s


class BssOutcomeUnknown(BssUnavailable):
    """Maybe applied (a timeout or a dropped connection after sending): read back before any retry."""

    code = "bss_outcome_unknown"
    status = 504


class BssRejected(BssError):
    """Refused for good (e.g. the body does not meet the schema): retrying cannot help; dead-letter it."""

    code = "bss_rejected"
    status = 502
