"""One play of one scenario in a fresh seeded installation, judged by the records it leaves."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from evals.context import EvalContext
from evals.judge import Verdict, judge, snapshot
from evals.player import Player, Transcript
from evals.scenario import Scenario

logger = logging.getLogger(__name__)


@dataclass
class Episode:
    scenario: Scenario
    transcript: Transcript
    verdict: Verdict

    @property
    def passed(self) -> bool:
        return self.verdict.passed and not self.transcript.problems


def play(ctx: EvalContext, scenario: Scenario) -> Episode:
    model, script = ctx.case_model()
    with ctx.world.fresh(model) as layer8:
        player = Player(layer8, script)
        transcript = player.play_cast_and_setup(scenario)
        before = snapshot(layer8.db)
        player.play_turns(scenario, transcript)
        verdict = judge(layer8.db, before, scenario.expect, transcript.ids, transcript.turns)
    if transcript.problems:
        logger.warning("%s: %s", scenario.id, "; ".join(transcript.problems))
    return Episode(scenario, transcript, verdict)
