"""One loop for the relays (OSS/BSS outbox, outbound webhooks): run a pass, poll again when idle.

A pass that raises is logged and the loop goes on (the relays' leases bring a claimed message back); a pass
that handled something is followed at once by the next, an idle one by a wait of ``interval`` seconds. The
loop ends after one pass with ``once``, or when ``stop`` is set (the server's shutdown).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

logger = logging.getLogger(__name__)


class Pass(Protocol):
    @property
    def handled(self) -> int: ...


P = TypeVar("P", bound=Pass)


def run_passes(
    step: Callable[[], P],
    *,
    interval: float,
    name: str,
    once: bool = False,
    stop: threading.Event | None = None,
    said: Callable[[P], None] | None = None,
) -> None:
    """Call ``step`` until ``once`` or ``stop``; ``said`` hears every pass that handled something."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            report: P | None = step()
        except Exception:  # a broken pass must not stop the relay; leases bring the messages back
            logger.exception("%s pass failed", name)
            report = None
        if report is not None and report.handled and said is not None:
            said(report)
        if once:
            return
        if (report is None or not report.handled) and stop.wait(interval):
            return


class BackgroundPasses:
    """:func:`run_passes` on a daemon thread, for a relay that lives inside the web server."""

    def __init__(self, step: Callable[[], Pass], *, interval: float, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=run_passes,
            args=(step,),
            kwargs={"interval": interval, "name": name, "stop": self._stop},
            name=name,
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to end after its current pass and wait for it (bounded)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
