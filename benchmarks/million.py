"""A million subscribers (issue 20, item 4): seed PostgreSQL with COPY, load 2M vectors into a Chroma server
resumably, and match with recall@10 beside exact search, in one run.

    nice -n 19 .venv/bin/python benchmarks/million.py prepare --profiles 1000000  # texts, vectors
    nice -n 19 .venv/bin/python benchmarks/million.py seed    # COPY into a schema of its own, sized, dropped
    nice -n 19 .venv/bin/python benchmarks/million.py index   # `chroma run` + resumable load, progress bar
    nice -n 19 .venv/bin/python benchmarks/million.py match   # HNSW by candidate width beside brute force

Each step records into var/million/result.json; ``match`` also writes the row for this size into
benchmarks/results/retrieval.json (``sizes``, rows with ``profiles`` and ``recall_at_10``). ``index`` may be
stopped at any time and run again: it continues from its checkpoint (``--limit`` stops it early on purpose).
How the vectors are made: benchmarks/million_profiles.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

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

from benchmarks.million_match import match  # noqa: E402
from benchmarks.million_profiles import Composer, FastProfiles, calibrate  # noqa: E402
from benchmarks.report import machine, now  # noqa: E402
from retrieval.bulk_index import ArraySource, Checkpoint, load_resumably  # noqa: E402
from retrieval.index import ChromaIndex, collection_name  # noqa: E402
from retrieval.profiles_index import content_hash  # noqa: E402
from seeding.bulk import BulkSubscriber, copy_subscribers  # noqa: E402

WORK = ROOT / "var" / "million"
TENANT = "million"
BLOCK = 50_000
MODEL = "all-MiniLM-L6-v2"
CALIBRATION = 1_000


def record(work: Path, step: str, values: dict[str, Any]) -> None:
    path = work / "result.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[step] = {"measured_at": now(), "machine": machine("cpus", "python", "load"), **values}
    path.write_text(json.dumps(data, indent=2))


def subscriber_id(n: int) -> str:
    return f"sub_m{n:09d}"


def prepare(work: Path, profiles: int, embedder: Any) -> dict[str, Any]:
    """Texts to profiles.tsv; phrase and calibration embeddings; composed vectors to offers/needs.npy."""
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    fast = FastProfiles()
    drawn = list(fast.draw(profiles))
    draw_s = time.perf_counter() - started
    with (work / "profiles.tsv").open("w", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        for d in drawn:
            writer.writerow(
                [
                    *(subscriber_id(d.number), d.industry.code, d.industry.title, d.offers, d.needs),
                    *(d.city, d.latitude, d.longitude, d.radius_km, d.stage, d.employees),
                ]
            )
    phrases = sorted({s for d in drawn for s in (*d.offer_slots, *d.need_slots)})
    table, phrase_s = phrase_table(phrases, embedder, work.parent / f"phrases-{embedder.name}.npz")
    sample = drawn[:: max(1, len(drawn) // CALIBRATION)][:CALIBRATION]
    texts = [d.offers_text for d in sample] + [d.needs for d in sample]
    started = time.perf_counter()
    real = np.asarray(embedder.embed(texts), dtype=np.float32)
    texts_s = time.perf_counter() - started
    composer = Composer(table, np.empty((0, real.shape[1]), dtype=np.float32))
    slots = [d.offer_slots for d in sample] + [d.need_slots for d in sample]
    composed = np.stack([composer.compose(s) for s in slots])
    residuals, stats = calibrate(real, composed)
    composer.residuals = residuals
    for kind in ("offers", "needs"):
        out = np.lib.format.open_memmap(
            work / f"{kind}.npy", mode="w+", dtype=np.float32, shape=(profiles, real.shape[1])
        )
        for block, start in enumerate(range(0, profiles, BLOCK)):
            part = drawn[start : start + BLOCK]
            lists = [d.offer_slots if kind == "offers" else d.need_slots for d in part]
            out[start : start + len(part)] = composer.vectors(lists, block * 2 + (kind == "needs"))
        out.flush()
        del out
    check = np.stack([composer.compose(s) for s in slots[:CALIBRATION]])
    offers = np.load(work / "offers.npy", mmap_mode="r")
    rows = [d.number for d in sample]
    stats["cos_synthetic_to_composition"] = round(float(np.mean(np.sum(offers[rows] * check, axis=1))), 4)
    return {
        "profiles": profiles,
        "draw_seconds": round(draw_s, 1),
        "phrases": len(phrases),
        "phrase_embed_seconds": round(phrase_s, 1),
        "texts_embedded": len(texts),
        "texts_per_s": round(len(texts) / texts_s, 1),
        "hours_to_embed_all_texts": round(2 * profiles / (len(texts) / texts_s) / 3600, 1),
        "calibration": stats,
        "noise_per_dimension": 0.003,
    }


def phrase_table(phrases: list[str], embedder: Any, cache: Path) -> tuple[dict[str, np.ndarray], float]:
    """Each phrase's embedding, from ``cache`` when an earlier run embedded it; and the seconds spent."""
    table: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as data:
            table = dict(zip(data["phrases"].tolist(), data["vectors"], strict=True))
    missing = [p for p in phrases if p not in table]
    started = time.perf_counter()
    if missing:
        table.update(zip(missing, np.asarray(embedder.embed(missing), dtype=np.float32), strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, phrases=np.array(list(table)), vectors=np.stack(list(table.values())))
    return table, time.perf_counter() - started


def read_profiles(work: Path, limit: int | None = None) -> list[list[str]]:
    with (work / "profiles.tsv").open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[:limit] if limit else rows


def bulk_rows(rows: list[list[str]]) -> list[BulkSubscriber]:
    return [
        BulkSubscriber(
            id=r[0],
            business_name=f"{r[3].split(',')[0][:60].title()} {n}",
            offers=r[3],
            needs=r[4],
            naics_code=r[1],
            naics_title=r[2],
            locality=r[5],
            latitude=float(r[6]),
            longitude=float(r[7]),
            service_radius_km=float(r[8]),
            growth_stage=r[9],
            employees=int(r[10]),
            tenant=TENANT,
        )
        for n, r in enumerate(rows)
    ]


def seed(work: Path, limit: int | None, keep: bool) -> dict[str, Any]:
    from sqlalchemy import text  # lazy: each step loads only what it uses
    from tqdm import tqdm  # lazy: as above

    from network.db import Database  # lazy: as above
    from network.migrate import upgrade  # lazy: as above
    from tests.stores import postgres_schema  # lazy: as above

    rows = bulk_rows(read_profiles(work, limit))
    with postgres_schema("million") as url:
        db = Database(url)
        upgrade(db)
        started = time.perf_counter()
        with tqdm(total=len(rows), unit="sub", desc="COPY") as bar:
            written = copy_subscribers(url, rows, progress=bar.update)
        seconds = time.perf_counter() - started
        with db.read() as session:
            sizes = {
                t: int(session.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar() or 0)
                for t in ("subscribers", "profiles", "consent_records")
            }
            counted = int(session.execute(text("SELECT count(*) FROM profiles")).scalar() or 0)
        db.dispose()
        if keep:
            input(f"schema kept while you look ({url}); press Enter to drop it ")
    mb = sum(sizes.values()) / 1e6
    return {
        "subscribers": written,
        "counted": counted,
        "seconds": round(seconds, 1),
        "per_s": round(written / seconds),
        "table_mb": {k: round(v / 1e6, 1) for k, v in sizes.items()},
        "mb_per_million": round(mb * 1_000_000 / written, 1),
    }


def index(work: Path, limit: int | None, url: str | None) -> dict[str, Any]:
    from tqdm import tqdm  # lazy: each step loads only what it uses

    from benchmarks.chroma_server_bench import start_chroma  # lazy: only this step starts a server

    rows = read_profiles(work)
    process, url = (None, url) if url else start_chroma(str(work / "chroma"), wait_s=900)
    try:
        chroma = ChromaIndex(url=url)
        sources = {}
        for column, kind in ((3, "offers"), (4, "needs")):
            vectors = np.load(work / f"{kind}.npy", mmap_mode="r")
            texts = [r[column] if kind == "needs" else f"{r[3].rstrip('.')}. {r[2]}" for r in rows]
            sources[collection_name(TENANT, kind)] = ArraySource(
                vectors,
                id_of=subscriber_id,
                document_of=texts.__getitem__,
                metadata_of=lambda n, kind=kind, texts=texts: {
                    "subscriber_id": subscriber_id(n),
                    "kind": kind,
                    "naics": rows[n][1],
                    "discoverable": True,
                    "hash": content_hash(MODEL, texts[n]),
                },
            )
        checkpoint = Checkpoint(work / "index_checkpoint.json")
        before = sum(checkpoint.load().values())
        target = 2 * min(len(rows), limit or len(rows))
        started = time.perf_counter()
        with tqdm(total=target, initial=before, unit="vec", desc="index") as bar:
            done = load_resumably(chroma, sources, checkpoint, limit=limit, progress=bar.update)
        seconds = time.perf_counter() - started
        rss = _rss_mb(process.pid) if process else None
    finally:
        if process:
            process.terminate()
            process.wait(timeout=60)
    stored = sum(done.values())
    return {
        "done": done,
        "vectors_this_run": stored - before,
        "seconds_this_run": round(seconds, 1),
        "vectors_per_s_this_run": round((stored - before) / seconds, 1) if seconds else None,
        "server_rss_mb_after_load": rss,
        "disk_mb": round(_du(work / "chroma") / 1e6, 1),
    }


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=("prepare", "seed", "index", "match"))
    parser.add_argument("--profiles", type=int, default=1_000_000)
    parser.add_argument("--limit", type=int, help="seed / index / match only the first N profiles")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--chroma-url", help="an already running Chroma server (default: start `chroma run`)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--widths", default="61,200,400,800,1600", help="candidates asked of the server")
    parser.add_argument("--keep", action="store_true", help="seed: wait before dropping the schema")
    options = parser.parse_args()
    work = options.work
    if options.step == "prepare":
        from retrieval.embedder import MiniLMEmbedder  # lazy: torch and the model load in seconds

        result = prepare(work, options.profiles, MiniLMEmbedder())
    elif options.step == "seed":
        result = seed(work, options.limit, options.keep)
    elif options.step == "index":
        result = index(work, options.limit, options.chroma_url)
    else:
        widths = [int(w) for w in options.widths.split(",")]
        result = match(work, TENANT, options.queries, widths, options.chroma_url, record)
    record(work, options.step, result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
