"""A turn's reply to a platform's message, sent at most once per message.

The message's receipt (``inbound_events``, unique on channel and event id: the turn's idempotency key)
carries the intent: it becomes ``sending`` before the reply goes (:func:`network.dedup.claim`), and
``answered`` or ``failed`` after it. A run that finds ``sending`` or later does not send again, so a task the
queue runs again — its worker killed, or the receipt's last write lost to a database outage — never sends a
second reply. The last write is tried again for a few seconds; if it still fails, the receipt stays
``sending`` and the task ends (nothing is sent again, nothing fails louder).

The window that remains: a worker that dies after the intent was written and before the platform accepted
the reply leaves ``sending`` behind, and that message gets no reply (at most once, not exactly once: neither
the Graph API nor Slack's ``chat.postMessage`` takes an idempotency key that would let a retry be safe).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from channels.backoff import Backoff, GaveUp, run_with_backoff
from network import dedup
from network.db import Database
from network.outage import is_transient

logger = logging.getLogger(__name__)
Send = Callable[[], tuple[str | None, str]]  # sends; returns the platform's id of the reply and the status


def settling(first_s: float) -> Backoff:
    """How the receipt's last write is tried again: 6 attempts from ``first_s`` (0.25 s: ≈ 8 s in all)."""
    return Backoff(attempts=6, first_s=first_s, cap_s=4.0, transient=is_transient)


def send_once(
    db: Database,
    channel: str,
    event_id: str,
    send: Send,
    *,
    remember: Callable[[str], None],
    settle: Backoff,
    unrecorded: bool = False,
) -> bool:
    """Send the reply unless an earlier run did; True when this run sent it. ``remember`` keeps the
    platform's id of the reply (for feedback on it); ``settle`` paces the receipt's last write. With
    ``unrecorded`` (the last word after every attempt
    met an outage) the reply goes even when the intent cannot be written."""
    try:
        mine = dedup.claim(db, channel, event_id)
    except Exception as error:
        if not (unrecorded and is_transient(error)):
            raise  # nothing was sent: the queue runs the task again
        logger.warning("the records are unreachable: a %s reply goes without its receipt", channel)
        mine = True
    if not mine:
        logger.warning("a %s reply was already sent (or being sent); not sent twice", channel)
        return False
    ref, status = send()
    remembered = not ref

    def record() -> None:
        nonlocal remembered
        if not remembered and ref:
            remember(ref)  # once: a second call would name an older reply of the thread
            remembered = True
        dedup.mark(db, channel, event_id, status)

    _settle(record, channel, settle)
    return True


def _settle(write: Callable[[], None], channel: str, backoff: Backoff) -> None:
    """The receipt's last write, tried again over a short outage; after a send it never raises, so the
    queue does not run the task again (which would find ``sending`` and send nothing anyway)."""
    try:
        run_with_backoff(write, backoff, name=f"{channel} receipt", wait=_sleep)
    except GaveUp:
        logger.error("the %s reply was sent but its receipt stays 'sending' (records unreachable)", channel)
    except Exception:
        logger.exception("the %s reply was sent but its receipt could not be written", channel)


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return False
