"""Industry classification with a deterministic fake embedder (the real model: the integration test)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from retrieval.embedder import FakeEmbedder, Vectors
from retrieval.industry import IndustryClassifier, IndustryMatch
from retrieval.industry_eval import evaluate, load_cases
from retrieval.naics import Naics

DEV = Path(__file__).parent / "data" / "industry_dev.jsonl"


class CountingEmbedder:
    """A fake that remembers how many texts it embedded (to see the cache work)."""

    def __init__(self, name: str = "counting-fake") -> None:
        self.inner = FakeEmbedder()
        self.name = name
        self.dim = self.inner.dim
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.embedded += len(texts)
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def hybrid() -> IndustryClassifier:
    return IndustryClassifier(FakeEmbedder())


def test_top_three_six_digit_codes_with_titles_and_scores(hybrid: IndustryClassifier) -> None:
    matches = hybrid.classify("We are a family bakery: sourdough bread, cakes and pastries")
    assert len(matches) == 3
    assert matches[0] == IndustryMatch("311811", "Retail Bakeries", matches[0].score)
    assert all(len(m.code) == 6 and m.title for m in matches)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert matches[0].to_dict() == {"code": "311811", "title": "Retail Bakeries", "score": scores[0]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gas engineer fitting boilers and central heating", "238220"),
        ("Chartered accountant for sole traders", "541211"),
        ("Fishmonger", "445220"),
        ("Office cleaning company", "561720"),
        ("Independent craft brewery", "312120"),
    ],
)
def test_everyday_trade_words_reach_the_right_industry(
    hybrid: IndustryClassifier, text: str, expected: str
) -> None:
    assert expected in [m.code for m in hybrid.classify(text)]


def test_lexical_only_without_an_embedder() -> None:
    lexical = IndustryClassifier(None)
    assert lexical.classify("flour mill")[0].code == "311211"
    assert lexical.classify_many([]) == []
    assert lexical.classify("", k=2) and len(lexical.classify("", k=2)) == 2  # never fails on empty text


def test_every_candidate_is_a_real_six_digit_naics_industry(hybrid: IndustryClassifier) -> None:
    naics = Naics.load()
    assert len(hybrid.entries) == 1057
    assert all(entry.code in naics and len(entry.code) == 6 for entry in hybrid.entries)


def test_small_business_industries_win_ties(hybrid: IndustryClassifier) -> None:
    first = hybrid.classify("hair salon")[0]
    assert first.code == "812112"


def test_dev_set_accuracy_with_the_fake_embedder(hybrid: IndustryClassifier) -> None:
    scores = evaluate(hybrid, load_cases(DEV))
    assert scores.cases >= 40
    assert scores.top3[4] >= 0.85, scores.misses
    assert scores.top1[2] >= scores.top1[4] >= scores.top1[6]


def test_the_industry_matrix_is_cached_on_disk_by_model_and_content(tmp_path: Path) -> None:
    first = CountingEmbedder()
    IndustryClassifier(first, cache_dir=tmp_path).classify("bakery")
    files = list(tmp_path.glob("naics-counting-fake-*.npy"))
    assert len(files) == 1 and first.embedded > 1000

    second = CountingEmbedder()
    again = IndustryClassifier(second, cache_dir=tmp_path).classify("bakery")
    assert second.embedded == 1  # only the query: the matrix came from the cache
    assert again[0].code.startswith("3118")

    other_model = CountingEmbedder(name="another model")
    IndustryClassifier(other_model, cache_dir=tmp_path).classify("bakery")
    assert other_model.embedded > 1000
    assert len(list(tmp_path.glob("naics-*.npy"))) == 2
    assert not list(tmp_path.glob("*.tmp*"))
