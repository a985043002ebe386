"""Accuracy of the industry classifier on labelled phrases (``evals/data/industry.jsonl``).

Each case is ``{"text", "naics", "also"?}``: ``naics`` is the label, ``also`` lists other codes a careful
person would accept. A prediction is right at level L (2, 4 or 6 digits) when its first L digits equal those
of an accepted code; we report top-1 and top-3 at each level.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.industry import IndustryClassifier
from retrieval.naics import sector_code

LEVELS = (2, 4, 6)


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    naics: str
    also: tuple[str, ...] = ()

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.naics, *self.also)


@dataclass
class Scores:
    cases: int = 0
    top1: dict[int, float] = field(default_factory=dict)
    top3: dict[int, float] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "top1": {f"{level}-digit": value for level, value in self.top1.items()},
            "top3": {f"{level}-digit": value for level, value in self.top3.items()},
        }


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(Case(row["text"], row["naics"], tuple(row.get("also", ()))))
    return cases


def same(predicted: str, accepted: str, level: int) -> bool:
    if level == 2:
        return sector_code(predicted) == sector_code(accepted)
    return predicted[:level] == accepted[:level]


def evaluate(classifier: IndustryClassifier, cases: Sequence[Case]) -> Scores:
    results = classifier.classify_many([case.text for case in cases], 3)
    scores = Scores(cases=len(cases))
    for level in LEVELS:
        hits1 = hits3 = 0
        for case, matches in zip(cases, results, strict=True):
            codes = [match.code for match in matches]
            hits1 += any(same(codes[0], code, level) for code in case.accepted)
            hits3 += any(same(p, code, level) for p in codes for code in case.accepted)
        scores.top1[level] = round(hits1 / max(len(cases), 1), 3)
        scores.top3[level] = round(hits3 / max(len(cases), 1), 3)
    for case, matches in zip(cases, results, strict=True):
        if matches[0].code not in case.accepted:
            scores.misses.append({"text": case.text, "label": case.naics, "got": [m.code for m in matches]})
    return scores
