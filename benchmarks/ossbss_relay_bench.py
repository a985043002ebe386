"""OSS/BSS relay benchmark: writes delivered per second, and reconciliation time, per adapter.

Adapters: the embedded ledger; the TM Forum stub in-process (ASGI, no socket); the stub over real HTTP
(uvicorn on localhost). Each run enqueues N credits and usage records on a fresh SQLite file, drains the
outbox with the relay, then reconciles.

    .venv/bin/python benchmarks/ossbss_relay_bench.py [--writes 500]

Prints a table and writes benchmarks/results/ossbss_relay.json.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from benchmarks.report import cells, columns, machine, now, write_json  # noqa: E402
from network.db import Database  # noqa: E402
from network.migrate import upgrade  # noqa: E402
from ossbss import outbox  # noqa: E402
from ossbss.embedded import EmbeddedBss  # noqa: E402
from ossbss.port import BillKind, BillWrite, OssBss  # noqa: E402
from ossbss.reconcile import reconcile  # noqa: E402
from ossbss.relay import Relay  # noqa: E402
from ossbss.stub import InProcessTransport, StubStore, create_app  # noqa: E402
from ossbss.tmf.client import TmfBss  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "ossbss_relay.json"


def _enqueue(db: Database, n: int) -> None:
    now = datetime.now(UTC)
    with db.transaction() as session:
        for i in range(n):
            kind = BillKind.CREDIT if i % 2 else BillKind.USAGE
            write = BillWrite(
                kind, f"layer8:{kind.value}:b{i}", f"party-{i % 50}", 1000 + i, "GBP", "b", f"b{i}", now
            )
            outbox.enqueue(session, write, "bench", f"b{i}")


def _serve() -> tuple[str, uvicorn.Server]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(StubStore()), log_level="critical", lifespan="off"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server


def run(adapter: str, writes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as work:
        db = Database(f"sqlite:///{work}/bench.db")
        upgrade(db)
        server = None
        bss: OssBss
        if adapter == "embedded":
            bss = EmbeddedBss(db)
        elif adapter == "tmf-inprocess":
            bss = TmfBss(httpx.Client(transport=InProcessTransport(create_app()), base_url="http://stub"))
        else:
            base, server = _serve()
            bss = TmfBss.connect(base, 10.0)
        _enqueue(db, writes)
        relay = Relay(db, bss)
        started = time.perf_counter()
        while relay.run_once().handled:
            pass
        relay_s = time.perf_counter() - started
        started = time.perf_counter()
        result = reconcile(db, bss)
        reconcile_s = time.perf_counter() - started
        if server is not None:
            server.should_exit = True
        db.dispose()
    assert result.clean and len(result.matched) == writes
    return {
        "adapter": adapter,
        "writes": writes,
        "relay_writes_per_s": round(writes / relay_s, 1),
        "relay_ms_per_write": round(relay_s / writes * 1000, 2),
        "reconcile_s": round(reconcile_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writes", type=int, default=500)
    args = parser.parse_args()
    rows = [run(adapter, args.writes) for adapter in ("embedded", "tmf-inprocess", "tmf-http")]
    spec = [("adapter", -15), ("writes", 8), ("writes/s", 11), ("ms/write", 10), ("reconcile s", 13)]
    keys = ("adapter", "writes", "relay_writes_per_s", "relay_ms_per_write", "reconcile_s")
    print(columns(spec, [cells(row, keys) for row in rows]))
    meta = {**machine("python", "machine"), "at": now()}
    write_json(RESULTS, {"meta": meta, "runs": rows})
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
