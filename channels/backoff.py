"""Running a task again after a passing failure: a growing pause between attempts, a bounded number of them.

A queued turn that meets a database outage should not answer the person with an apology at once: the
outage usually lasts seconds. :func:`run_with_backoff` runs the task again after ``first_s``, twice that,
and so on (at most ``cap_s`` apart), ``attempts`` times in all, as long as the failure is one
``transient`` recognises; any other failure is raised at once. The task keeps its place meanwhile — the
worker holds it in its processing list and keeps the conversation's lock — so a person's later message is
not answered before this one, and a worker that dies during a pause leaves the task for another (its lease).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


def _never(_error: BaseException) -> bool:
    return False


@dataclass(frozen=True)
class Backoff:
    attempts: int = 7
    first_s: float = 0.5
    cap_s: float = 10.0
    transient: Callable[[BaseException], bool] = field(default=_never)

    def pauses(self) -> list[float]:
        """The pause before each attempt after the first: 0.5, 1, 2, 4, 8, 10 s with the defaults."""
        return [min(self.cap_s, self.first_s * 2**n) for n in range(max(self.attempts - 1, 0))]


class GaveUp(Exception):
    """Every attempt met a passing failure (the last one is the cause): time to tell the person."""


class Interrupted(Exception):
    """The worker was asked to stop during a pause: the task has not run to its end and must be kept."""


def run_with_backoff(
    call: Callable[[], None],
    backoff: Backoff,
    *,
    name: str,
    wait: Callable[[float], bool],
) -> None:
    """Call ``call`` until it succeeds; ``wait(seconds)`` pauses and returns True when told to stop.

    Raises the failure itself when it is not transient, :class:`GaveUp` when the attempts ran out and
    :class:`Interrupted` when a pause was cut short."""
    pauses = backoff.pauses()
    for attempt in range(len(pauses) + 1):
        try:
            call()
            return
        except Exception as error:
            if not backoff.transient(error):
                raise
            if attempt == len(pauses):
                raise GaveUp(f"{name}: {backoff.attempts} attempts met a passing failure") from error
            logger.warning(
                "task %s met a passing failure (%s); attempt %d of %d in %.1f s",
                name,
                type(error).__name__,
                attempt + 2,
                backoff.attempts,
                pauses[attempt],
            )
        if wait(pauses[attempt]):
            raise Interrupted(name)
