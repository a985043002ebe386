"""In-process domain events, carried by the unit of work.

Services call :func:`emit` inside their transaction; handlers (registered by the composition root) run in
that same transaction, so a deal and its incentive and outbox rows commit together. Work that must not run
inside the transaction (e.g. updating the vector index) is queued with :func:`after_commit`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
Handler = Callable[[Session, dict[str, Any]], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, name: str, handler: Handler) -> None:
        self._handlers[name].append(handler)

    def publish(self, session: Session, name: str, payload: dict[str, Any]) -> None:
        for handler in self._handlers.get(name, []):
            handler(session, payload)


def emit(session: Session, name: str, **payload: Any) -> None:
    """Publish ``name`` to the bus this session's unit of work carries (if any)."""
    bus: EventBus | None = session.info.get("events")
    if bus is not None:
        bus.publish(session, name, payload)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # a failed side job must not undo a committed business change
            logger.exception("after-commit job failed")


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
