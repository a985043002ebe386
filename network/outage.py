"""Whether a failure is a passing outage of the records: the database unreachable or its connection lost.

Such a failure is worth trying again a little later (a queued turn runs again with a back-off); any other
error is a bug or a refusal and is not. Recognised: SQLAlchemy's disconnects and pool timeouts, a driver's
``OperationalError``/``InterfaceError`` that speaks of the connection (refused, reset, terminated by an
administrator, the server closing it, SQLite's lock), and :class:`~network.errors.StorageUnavailable` (a
turn that met one of these and said so). A bare ``ConnectionError`` is *not* one: the Chroma server or the
model server refusing a connection is another part's outage, which the turn already says in its own words.
"""

from __future__ import annotations

import re

from sqlalchemy import exc as sa

from network.errors import StorageUnavailable

_PASSING = re.compile(
    r"connect|terminat|server closed|closed the connection|database is locked|timed? ?out|"
    r"could not receive|could not send|ssl syscall|starting up|shutting down|in recovery|broken pipe",
    re.IGNORECASE,
)
_DRIVER_ERRORS = ("OperationalError", "InterfaceError")


def is_transient(error: BaseException) -> bool:
    """True when ``error`` (or one it was raised from) says the records are unreachable for now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _passing(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _passing(error: BaseException) -> bool:
    if isinstance(error, StorageUnavailable | sa.DisconnectionError | sa.TimeoutError):
        return True
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.OperationalError | sa.InterfaceError):
        return bool(_PASSING.search(str(error.orig) if error.orig is not None else str(error)))
    return type(error).__name__ in _DRIVER_ERRORS and bool(_PASSING.search(str(error)))
