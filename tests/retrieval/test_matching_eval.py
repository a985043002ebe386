"""The matching eval runs end to end on a small seeded network (fake embedder, real Chroma and BEA data)."""

from dataclasses import dataclass
from pathlib import Path

from evals.matching import run_matching_eval
from network.db import Database
from retrieval.embedder import FakeEmbedder
from retrieval.index import ChromaIndex


@dataclass
class Parts:
    db: Database
    index: ChromaIndex
    embedder: FakeEmbedder


def test_eval_reports_engine_and_both_baselines_without_filter_violations(
    sqlite_db: Database, tmp_path: Path
) -> None:
    report = run_matching_eval(
        Parts(sqlite_db, ChromaIndex(path=tmp_path / "chroma"), FakeEmbedder()), 80, seed=3
    )
    assert report["evaluated"] == 80 and report["hard_filter_violations"] == 0
    precision = report["precision_at_5"]
    assert set(precision) == {"engine", "random", "embedding"}
    assert all(0.0 <= value <= 1.0 for value in precision.values())
    assert precision["engine"] > precision["random"]
