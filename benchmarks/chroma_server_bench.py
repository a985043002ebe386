"""Matches per Chroma server: top-10 queries through ``chroma run`` (Chroma's own HTTP server), as the
cluster's API nodes and workers make them, with one client and with several at once.

Starts ``chroma run`` on a temporary directory and a free loopback port, indexes ``--profiles`` vectors
through the product's :class:`~retrieval.index.ChromaIndex` (its HNSW settings), then times ``--queries``
top-10 queries per client count and checks recall@10 against exact cosine search in NumPy. The vectors are
synthetic but clustered (384 dimensions, 500 centres, noise around each): uniformly random vectors are HNSW's
worst case and say nothing about real profiles (docs/benchmarks.md, retrieval).

    .venv/bin/python benchmarks/chroma_server_bench.py [--profiles 20000] [--queries 300] [--clients 1,4]

Prints a table and writes benchmarks/results/chroma_server.json.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.report import cells, machine, markdown, ms, now, percentile, write_json  # noqa: E402
from retrieval.index import ChromaIndex, VectorRecord  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "chroma_server.json"
COLLECTION = "bench_profiles"
DIM = 384


def clustered(count: int, seed: int, centres: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = centres[rng.integers(0, len(centres), count)]
    vectors = picks + 0.35 * rng.standard_normal((count, DIM)).astype(np.float32) / np.sqrt(DIM)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def start_chroma(path: str, wait_s: float = 60) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = str(Path(sys.executable).with_name("chroma"))
    process = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", path],
        stdout=subprocess.DEVNULL,  # it logs every request (~3 KB each)
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(int(wait_s * 4)):
        try:
            with urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.25)
    process.terminate()
    raise SystemExit("chroma run did not start")


def timed_queries(url: str, queries: np.ndarray, clients: int) -> dict[str, Any]:
    indexes = [ChromaIndex(url=url) for _ in range(clients)]
    for index in indexes:  # connect and open the collection before the clock starts
        index.query(COLLECTION, queries[0].tolist(), 10, documents=False)
    latencies: list[float] = []
    found: dict[int, list[str]] = {}

    def run(worker: int) -> None:
        for n in range(worker, len(queries), clients):
            started = time.perf_counter()
            hits = indexes[worker].query(COLLECTION, queries[n].tolist(), 10, documents=False)
            latencies.append(time.perf_counter() - started)
            found[n] = [h.id for h in hits]

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(run, range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "queries": len(latencies),
        "matches_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(percentile(latencies, 0.5), 2),
        "p95_ms": ms(percentile(latencies, 0.95), 2),
        "found": found,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--clients", default="1,4", help="client counts, comma-separated")
    parser.add_argument("--out", type=Path, default=RESULTS)
    options = parser.parse_args()
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((500, DIM)).astype(np.float32)
    vectors, queries = clustered(options.profiles, 1, centres), clustered(options.queries, 2, centres)
    ids = [f"p{n}" for n in range(len(vectors))]
    exact = [[ids[i] for i in np.argsort(-(vectors @ q))[:10]] for q in queries]
    with tempfile.TemporaryDirectory() as path:
        process, url = start_chroma(path)
        try:
            index = ChromaIndex(url=url)
            started = time.perf_counter()
            records = [VectorRecord(i, v.tolist(), "") for i, v in zip(ids, vectors, strict=True)]
            index.upsert(COLLECTION, records)
            build_s = time.perf_counter() - started
            rows = [timed_queries(url, queries, int(c)) for c in options.clients.split(",")]
        finally:
            process.terminate()
            process.wait(timeout=20)
    for row in rows:
        found = row.pop("found")
        row["recall_at_10"] = round(
            float(np.mean([len(set(found[n]) & set(exact[n])) / 10 for n in range(len(queries))])), 4
        )
    result = {
        "measured_at": now(),
        "machine": machine("cpus", "python", "load"),
        "profiles": options.profiles,
        "index_per_s": round(options.profiles / build_s, 1),
        "hnsw": ChromaIndex.HNSW,
        "rows": rows,
    }
    write_json(options.out, result)
    print(f"indexed {options.profiles} vectors through the server at {result['index_per_s']}/s")
    head = ["clients", "matches/s", "p50 ms", "p95 ms", "recall@10"]
    keys = ("clients", "matches_per_s", "p50_ms", "p95_ms", "recall_at_10")
    print(markdown(head, [cells(r, keys) for r in rows]))
    print(f"wrote {options.out}")


if __name__ == "__main__":
    main()
