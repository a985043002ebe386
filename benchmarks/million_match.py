"""The ``match`` step of benchmarks/million.py: recall@10 and latency of matching through a Chroma server,
by candidate width, beside exact brute force over the same vectors, query by query in one run.

A match is the matcher's candidate step (:meth:`retrieval.matching.Matcher._similarities`): my needs against
the offers collection and my offers against the needs collection, the top ``pool + 1`` = 61 of each, through
the product's :class:`~retrieval.index.ChromaIndex` with ``candidates`` = each width measured: it asks the
server for that many and keeps the best 61, which widens HNSW's search (hnswlib searches with
``ef = max(ef_search, n_results)``). Exact: ``M @ q`` and ``argpartition`` over the
same vectors in this process (one BLAS thread). recall@10: the share of the top 10 (without the querying
profile itself) that are in the exact top 10, a hit tying the exact 10th score counting.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import percentile
from retrieval.index import ChromaIndex, collection_name

POOL = 61
K = 10
RESULTS = Path(__file__).resolve().parent / "results" / "retrieval.json"


def exact_top(matrix: np.ndarray, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = matrix @ q
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])], scores


def recall(found: list[int], scores: np.ndarray, exact: np.ndarray, me: int) -> float:
    truth = [int(i) for i in exact if i != me][:K]
    tenth = scores[truth[-1]] - 1e-6
    mine = [i for i in found if i != me][:K]
    return sum(1 for i in mine if i in truth or scores[i] >= tenth) / K


def server_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def match(
    work: Path,
    tenant: str,
    queries: int,
    widths: list[int],
    url: str | None,
    record: Callable[[Path, str, dict[str, Any]], None],
) -> dict[str, Any]:
    from benchmarks.chroma_server_bench import start_chroma  # lazy: only a run against a server needs it

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    process, url = (None, url) if url else start_chroma(str(work / "chroma"), wait_s=900)
    pid = process.pid if process else None
    try:
        index = ChromaIndex(url=url)
        offers_col, needs_col = collection_name(tenant, "offers"), collection_name(tenant, "needs")
        # what each collection holds: a stopped load may have stored a batch past its checkpoint
        held = {kind: index.count(collection_name(tenant, kind)) for kind in ("offers", "needs")}
        offers = np.array(np.load(work / "offers.npy", mmap_mode="r")[: held["offers"]])
        needs = np.array(np.load(work / "needs.npy", mmap_mode="r")[: held["needs"]])
        n = min(held.values())
        chosen = np.random.default_rng(5).choice(n, size=queries, replace=False)
        index.query(offers_col, needs[0], POOL, documents=False)  # the server loads the HNSW segments
        index.query(needs_col, offers[0], POOL, documents=False)
        ready_s = time.perf_counter() - started
        rss = _rss(pid)
        rows = {
            str(w): _measure(
                ChromaIndex(url=url, candidates=w), offers_col, needs_col, offers, needs, chosen, pid
            )
            for w in widths
        }
    finally:
        if process:
            process.terminate()
            process.wait(timeout=60)
    qualifying = [w for w in widths if rows[str(w)]["recall_at_10"] >= 0.98 and _faster(rows[str(w)])]
    pick = str(qualifying[0]) if qualifying else str(max(widths, key=lambda w: rows[str(w)]["recall_at_10"]))
    row = {
        "profiles": n,
        "vectors": sum(held.values()),
        "engine": "chroma run (HTTP, loopback)",
        "vectors_from": "composed from real MiniLM phrase embeddings (benchmarks/million_profiles.py)",
        "ef_search": ChromaIndex.DEFAULT_EF_SEARCH,
        "candidates": int(pick),
        "match_hnsw": rows[pick]["match_hnsw"],
        "match_bruteforce": rows[pick]["match_bruteforce"],
        "recall_at_10": rows[pick]["recall_at_10"],
        "by_candidates": rows,
        "queries": queries,
        "server_ready_s": round(ready_s, 1),
        "server_rss_mb": rss,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    _save(row)
    return row


def _faster(row: dict[str, Any]) -> bool:
    return bool(row["match_hnsw"]["p95_ms"] <= row["match_bruteforce"]["p95_ms"])


def _measure(
    index: ChromaIndex,
    offers_col: str,
    needs_col: str,
    offers: np.ndarray,
    needs: np.ndarray,
    chosen: np.ndarray,
    pid: int | None,
) -> dict[str, Any]:
    hnsw, brute, brute_cpu, recalls = [], [], [], []
    cpu_before = server_cpu(pid)
    for me in (int(c) for c in chosen):
        started = time.perf_counter()
        hits_o = index.query(offers_col, needs[me], POOL, documents=False)
        hits_n = index.query(needs_col, offers[me], POOL, documents=False)
        hnsw.append(time.perf_counter() - started)
        started, cpu = time.perf_counter(), time.process_time()
        exact_o, scores_o = exact_top(offers, needs[me], POOL)
        exact_n, scores_n = exact_top(needs, offers[me], POOL)
        brute.append(time.perf_counter() - started)
        brute_cpu.append(time.process_time() - cpu)
        for hits, exact, scores in ((hits_o, exact_o, scores_o), (hits_n, exact_n, scores_n)):
            recalls.append(recall([int(h.id[5:]) for h in hits], scores, exact, me))
    server_s = server_cpu(pid) - cpu_before
    return {
        "match_hnsw": _pcts(hnsw),
        "match_bruteforce": _pcts(brute),
        "match_bruteforce_cpu": _pcts(brute_cpu),
        "hnsw_server_cpu_ms_per_match": round(1000 * server_s / len(chosen), 2) if pid else None,
        "recall_at_10": round(float(np.mean(recalls)), 4),
    }


def _pcts(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(1000 * percentile(values, 0.5), 2),
        "p95_ms": round(1000 * percentile(values, 0.95), 2),
    }


def _rss(pid: int | None) -> float | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _save(row: dict[str, Any]) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("sizes", {})[str(row["profiles"])] = row
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
