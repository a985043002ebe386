"""The classifier with the real MiniLM model on the held-out phrases (evals/data/industry.jsonl)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embedder import MiniLMEmbedder
from retrieval.industry import IndustryClassifier
from retrieval.industry_eval import evaluate, load_cases

HELD_OUT = Path(__file__).parents[2] / "evals" / "data" / "industry.jsonl"


@pytest.mark.integration
def test_most_held_out_phrases_get_the_right_four_digit_industry_in_the_top_three(tmp_path: Path) -> None:
    cases = load_cases(HELD_OUT)
    assert len(cases) >= 60
    scores = evaluate(IndustryClassifier(MiniLMEmbedder(), cache_dir=tmp_path), cases)
    assert scores.top3[4] >= 0.9, scores.misses
    assert scores.top1[6] >= 0.75, scores.misses
