"""A database that drops, at the driver's edge: statements fail before they reach the server with the error
SQLAlchemy raises when PostgreSQL refuses or resets the connection — its ``OperationalError`` around the
driver's own (psycopg's or sqlite3's). Works on SQLite and on PostgreSQL.

    outage = Outage(db)
    outage.fail(3)                                   # the next 3 statements fail
    outage.fail(2, when=lambda sql, params: "UPDATE inbound_events" in sql)
    outage.down(); ...; outage.up()                  # every statement fails until up()
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from network.db import Database

Match = Callable[[str, Any], bool]
DOWN = 1_000_000


def _any(_sql: str, _params: Any) -> bool:
    return True


class Outage:
    def __init__(self, db: Database) -> None:
        self._engine = db.engine
        self._lock = threading.Lock()
        self._left = 0
        self._when: Match = _any
        self.failed = 0  # statements refused so far
        event.listen(self._engine, "before_cursor_execute", self._before)

    def fail(self, times: int, *, when: Match = _any) -> None:
        """Refuse the next ``times`` statements for which ``when(sql, parameters)`` holds."""
        with self._lock:
            self._left, self._when = times, when

    def down(self) -> None:
        self.fail(DOWN)

    def up(self) -> None:
        self.fail(0)

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._before)

    def _before(
        self, connection: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool
    ) -> None:
        with self._lock:
            if self._left <= 0 or not self._when(sql, params):
                return
            self._left -= 1
            self.failed += 1
        dbapi = connection.dialect.loaded_dbapi
        cause = dbapi.OperationalError("connection refused: the server closed the connection unexpectedly")
        raise DBAPIError.instance(sql, params, cause, dbapi.Error, connection_invalidated=True)
