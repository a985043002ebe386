"""A timeline of steps, each run at its own moment of a replayed history (see :mod:`seeding.history`).

A step is a plain function; :class:`Timeline` keeps them with their time and runs them in time order under
:func:`network.ids.clock_at`, so every record and audit event carries the moment it happened. A step planned
for the future is dropped: the history ends now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from network.errors import Layer8Error
from network.ids import clock_at

logger = logging.getLogger(__name__)
Step = Callable[[], None]


@dataclass(order=True)
class _Planned:
    at: datetime
    order: int
    run: Step = field(compare=False)


@dataclass
class Timeline:
    now: datetime
    steps: list[_Planned] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def at(self, when: datetime, step: Step) -> bool:
        """Plan ``step`` for ``when``; False (and not planned) when that is not in the past."""
        if when >= self.now:
            return False
        self.steps.append(_Planned(when, len(self.steps), step))
        return True

    def replay(self) -> int:
        """Run every step in time order; a step the rules refuse is noted and the history goes on."""
        for planned in sorted(self.steps):
            with clock_at(planned.at):
                try:
                    planned.run()
                except Layer8Error as exc:
                    logger.info("a seeded step was refused: %s", exc.code)
                    self.refused.append(f"{planned.at:%Y-%m-%d %H:%M} {exc.code}: {exc.message}")
        return len(self.steps)
