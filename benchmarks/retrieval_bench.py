"""Retrieval benchmark: embedding throughput, index build rate, match latency and HNSW recall.

For each size, one run measures, over the same vectors, Chroma's HNSW (through Layer8's adapter) beside
exact NumPy brute force: a "match" is the engine's candidate step, i.e. two top-k queries (my needs against
the offers collection, my offers against the needs collection, k = the engine's pool). Vectors are real
MiniLM embeddings of generated profile texts at 10k; larger sizes add points between a real vector and one
of its nearest real neighbours, slightly perturbed (random vectors are HNSW's worst case and say nothing
about recall: recall@10 0.11 on random vectors against 0.9996 on real MiniLM ones).

    .venv/bin/python benchmarks/retrieval_bench.py --sizes 10000,100000 [--queries 200]

Prints a table and writes benchmarks/results/retrieval.json (merged with earlier sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

# one thread per library, set before they load: on 2 shared cores spinning BLAS threads only add noise
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}.items():
    os.environ.setdefault(_name, _value)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import machine, write_json  # noqa: E402
from evals.synthetic_profiles import ProfileGenerator  # noqa: E402
from retrieval.embedder import MiniLMEmbedder, normalise  # noqa: E402
from retrieval.index import ChromaIndex, VectorRecord  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "retrieval.json"
WORK = ROOT / "var" / "bench"
REAL = 10_000
POOL = 61  # the engine's candidate pool per direction (Matcher.pool + 1)
RECALL_K = 10
NOISE = 0.003  # per dimension, |noise| ≈ 0.06: grown vectors stay near the manifold of real profile texts
EF_SEARCH = (200, 400, 800)
NEAR = 0.005  # a second recall: hits within this cosine of the exact 10th count (grown vectors crowd)


def embed_corpus(embedder: MiniLMEmbedder, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Real MiniLM vectors of ``n`` generated profiles (cached under var/bench)."""
    cache = WORK / f"minilm_{n}_{seed}.npz"
    if cache.exists():
        data = np.load(cache)
        return data["offers"], data["needs"], float(data["seconds"])
    profiles = ProfileGenerator(seed).profiles(n)
    started = time.perf_counter()
    offers = embedder.embed([p.offers for p in profiles])
    needs = embedder.embed([p.needs for p in profiles])
    seconds = time.perf_counter() - started
    WORK.mkdir(parents=True, exist_ok=True)
    np.savez(cache, offers=offers, needs=needs, seconds=seconds)
    return offers, needs, seconds


def throughput(embedder: MiniLMEmbedder, texts: list[str]) -> dict[str, float]:
    """Our ``embed`` against raw ``SentenceTransformer.encode`` on the same texts (best of 2 each)."""
    model = embedder.model
    model.encode(texts[:64], batch_size=64)  # warm-up
    raw, ours = [], []
    for _ in range(2):
        started = time.perf_counter()
        model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        raw.append(len(texts) / (time.perf_counter() - started))
        started = time.perf_counter()
        embedder.embed(texts)
        ours.append(len(texts) / (time.perf_counter() - started))
    return {
        "texts": len(texts),
        "raw_per_s": max(raw),
        "layer8_per_s": max(ours),
        "ratio": max(ours) / max(raw),
    }


def neighbours(real: np.ndarray, k: int = 20) -> np.ndarray:
    """The ``k`` nearest other real vectors of each real vector (exact, in blocks)."""
    out = np.empty((len(real), k), dtype=np.int64)
    for start in range(0, len(real), 1000):
        scores = real[start : start + 1000] @ real.T
        for row in range(len(scores)):
            scores[row, start + row] = -np.inf
        top = np.argpartition(-scores, k, axis=1)[:, :k]
        out[start : start + len(scores)] = top
    return out


def grow(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` realistic vectors: the real ones, then points between a real profile and one of its 20 nearest
    real neighbours, slightly perturbed, so they stay on the manifold of real profile texts."""
    if n <= len(real):
        return real[:n]
    near = neighbours(real)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    out[: len(real)] = real
    for start in range(len(real), n, 100_000):
        stop = min(n, start + 100_000)
        size = stop - start
        base = rng.integers(0, len(real), size)
        other = near[base, rng.integers(0, near.shape[1], size)]
        t = rng.uniform(0.1, 0.5, size=(size, 1)).astype(np.float32)
        noise = rng.normal(0, NOISE, size=(size, real.shape[1])).astype(np.float32)
        out[start:stop] = normalise((1 - t) * real[base] + t * real[other] + noise)
    return out


def exact_top(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def build(index: ChromaIndex, name: str, vectors: np.ndarray) -> float:
    started = time.perf_counter()
    step = 50_000
    for start in range(0, len(vectors), step):
        chunk = vectors[start : start + step]
        records = [
            VectorRecord(f"s{start + i}", chunk[i], "", {"subscriber_id": f"s{start + i}"})
            for i in range(len(chunk))
        ]
        index.upsert(name, records)
    return time.perf_counter() - started


def recall(
    hits: list[Any], matrix: np.ndarray, query: np.ndarray, exact: np.ndarray, slack: float = 1e-5
) -> float:
    """Share of HNSW's top-10 that belong to the exact top-10; a tie with the 10th exact score counts
    (generated profiles repeat texts, so identical vectors are interchangeable)."""
    kth = float(matrix[exact[RECALL_K - 1]] @ query)
    got = [int(h.id[1:]) for h in hits]
    return sum(1 for i in got if float(matrix[i] @ query) >= kth - slack) / RECALL_K


def percentiles(samples: list[float]) -> dict[str, float]:
    ms = np.asarray(samples) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def run_size(
    n: int,
    offers_real: np.ndarray,
    needs_real: np.ndarray,
    queries: tuple[np.ndarray, np.ndarray],
    ef_values: tuple[int, ...] = EF_SEARCH,
    reuse: bool = False,
) -> dict[str, Any]:
    """Build (or, with ``reuse``, reopen the store an earlier run built from the same vectors) and measure."""
    rng = np.random.default_rng(n)
    offers, needs = grow(offers_real, n, rng), grow(needs_real, n, rng)
    store = WORK / f"chroma_{n}"
    load_before = os.getloadavg()[0]
    seconds: float | None = None
    if not (reuse and store.exists()):
        shutil.rmtree(store, ignore_errors=True)
        index = ChromaIndex(path=store)
        seconds = build(index, "bench-offers", offers) + build(index, "bench-needs", needs)
        del index
    by_ef = {str(ef): measure(store, ef, offers, needs, queries) for ef in ef_values}
    size_on_disk = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
    shutil.rmtree(store, ignore_errors=True)
    default = by_ef.get(str(ChromaIndex.DEFAULT_EF_SEARCH)) or next(iter(by_ef.values()))
    return {
        "profiles": n,
        "vectors": 2 * n,
        "real_vectors": min(n, REAL),
        "build_profiles_per_s": n / seconds if seconds else None,
        "build_seconds": seconds,
        "ef_search": ChromaIndex.DEFAULT_EF_SEARCH,
        "match_hnsw": default["match_hnsw"],
        "match_bruteforce": default["match_bruteforce"],
        "recall_at_10": default["recall_at_10"],
        "by_ef_search": by_ef,
        "queries": len(queries[0]),
        "store_mb": size_on_disk / 1e6,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def reopen(store: Path, ef: int) -> ChromaIndex:
    """Set ``ef_search`` and reopen the store: a loaded HNSW index keeps its old value (chromadb 1.5.9)."""
    from chromadb.api.shared_system_client import SharedSystemClient  # lazy: chromadb imports slowly

    index = ChromaIndex(path=store)
    index.tune("bench-offers", ef)
    index.tune("bench-needs", ef)
    SharedSystemClient.clear_system_cache()
    return ChromaIndex(path=store)


def measure(
    store: Path, ef: int, offers: np.ndarray, needs: np.ndarray, queries: tuple[np.ndarray, np.ndarray]
) -> dict[str, Any]:
    """One match per query profile with HNSW at ``ef``, and exact brute force right beside it.

    Wall time suffers from other work on the shared cores; CPU time (all threads) is recorded beside it."""
    index = reopen(store, ef)
    index.query("bench-offers", queries[0][0], POOL, documents=False)  # load the segment
    index.query("bench-needs", queries[1][0], POOL, documents=False)
    hnsw, brute, recalls, near, hnsw_cpu, brute_cpu = [], [], [], [], [], []
    for qn, qo in zip(*queries, strict=True):
        started, cpu = time.perf_counter(), time.process_time()
        hits_o = index.query("bench-offers", qn, POOL, documents=False)
        hits_n = index.query("bench-needs", qo, POOL, documents=False)
        hnsw.append(time.perf_counter() - started)
        hnsw_cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        exact_o = exact_top(offers, qn, POOL)
        exact_n = exact_top(needs, qo, POOL)
        brute.append(time.perf_counter() - started)
        brute_cpu.append(time.process_time() - cpu)
        for hits, exact, matrix, q in ((hits_o, exact_o, offers, qn), (hits_n, exact_n, needs, qo)):
            recalls.append(recall(hits[:RECALL_K], matrix, q, exact))
            near.append(recall(hits[:RECALL_K], matrix, q, exact, slack=NEAR))
    return {
        "match_hnsw": percentiles(hnsw),
        "match_bruteforce": percentiles(brute),
        "match_hnsw_cpu": percentiles(hnsw_cpu),
        "match_bruteforce_cpu": percentiles(brute_cpu),
        "recall_at_10": float(np.mean(recalls)),
        "recall_at_10_within_0.005": float(np.mean(near)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="comma-separated profile counts, e.g. 10000,100000,1000000"
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="only print the saved results as Markdown")
    parser.add_argument("--ef", default=",".join(map(str, EF_SEARCH)), help="ef_search values to measure")
    parser.add_argument("--reuse-store", action="store_true", help="measure a store left by an earlier run")
    args = parser.parse_args()
    if args.markdown:
        print(markdown(json.loads(RESULTS.read_text())))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]

    embedder = MiniLMEmbedder()
    generator = ProfileGenerator(args.seed + 1)
    held_out = generator.profiles(args.queries)
    offers_real, needs_real, embed_seconds = embed_corpus(embedder, REAL, args.seed)
    queries = (embedder.embed([p.needs for p in held_out]), embedder.embed([p.offers for p in held_out]))

    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("sizes", {})
    results["machine"] = {**machine("cpus", "python"), "torch_threads": 1}
    if not (args.reuse_store and "embedding" in results):
        speed = throughput(embedder, [p.offers for p in ProfileGenerator(args.seed + 2).profiles(1000)])
        results["embedding"] = {
            **speed,
            "corpus_profiles": REAL,
            "corpus_embed_profiles_per_s": REAL / embed_seconds,
        }
    for n in sizes:
        print(f"… {n:,} profiles", flush=True)
        ef_values = tuple(int(v) for v in args.ef.split(",") if v)
        results["sizes"][str(n)] = run_size(n, offers_real, needs_real, queries, ef_values, args.reuse_store)
        results["updated"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        write_json(RESULTS, results)
    print_table(results)


def print_table(results: dict[str, Any]) -> None:
    e = results["embedding"]
    print(
        f"\nembedding: Layer8 {e['layer8_per_s']:.0f} texts/s vs raw SentenceTransformer.encode "
        f"{e['raw_per_s']:.0f} texts/s ({e['ratio']:.0%}); "
        f"corpus {e['corpus_embed_profiles_per_s']:.0f} profiles/s (offers + needs)"
    )
    names = (
        "profiles",
        "ef_search",
        "build/s",
        "HNSW p50",
        "HNSW p95",
        "exact p50",
        "exact p95",
        "recall@10",
    )
    head = " ".join(f"{name:>10}" for name in names)
    print(head)
    print("-" * len(head))
    for key in sorted(results["sizes"], key=int):
        r = results["sizes"][key]
        for ef, m in r.get("by_ef_search", {str(r.get("ef_search", 100)): r}).items():
            h, b = m["match_hnsw"], m["match_bruteforce"]
            cells = (
                f"{r['profiles']:,}",
                ef,
                _rate(r),
                f"{h['p50_ms']:.2f}ms",
                f"{h['p95_ms']:.2f}ms",
                f"{b['p50_ms']:.2f}ms",
                f"{b['p95_ms']:.2f}ms",
                f"{m['recall_at_10']:.4f}",
            )
            print(" ".join(f"{cell:>10}" for cell in cells))


def _rate(r: dict[str, Any]) -> str:
    rate = r.get("build_profiles_per_s")
    return f"{rate:.0f}" if rate else "—"


def markdown(results: dict[str, Any]) -> str:
    """The saved results as the Markdown table of docs/benchmarks.md."""
    lines = [
        "| profiles | ef_search | build (profiles/s) | HNSW p50 / p95 | exact p50 / p95 | HNSW CPU p50 / p95 "
        "| exact CPU p50 / p95 | recall@10 | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key in sorted(results["sizes"], key=int):
        r = results["sizes"][key]
        for ef, m in r.get("by_ef_search", {}).items():  # rows by candidates: benchmarks/million.py
            h, b = m["match_hnsw"], m["match_bruteforce"]
            hc, bc = m["match_hnsw_cpu"], m["match_bruteforce_cpu"]
            lines.append(
                f"| {r['profiles']:,} | {ef} | {_rate(r)} "
                f"| {h['p50_ms']:.1f} / {h['p95_ms']:.1f} ms | {b['p50_ms']:.1f} / {b['p95_ms']:.1f} ms "
                f"| {hc['p50_ms']:.1f} / {hc['p95_ms']:.1f} ms | {bc['p50_ms']:.1f} / {bc['p95_ms']:.1f} ms "
                f"| {m['recall_at_10']:.4f} | {r['load_average'][0]:.1f}–{r['load_average'][1]:.1f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
