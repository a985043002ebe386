"""A `layer8 serve` subprocess for a benchmark: started on a home and a port, waited for until `/healthz`
no longer says the model is warming (the time to answering and to ready recorded), stopped afterwards."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def serving(home: Path, env: dict[str, str], port: int) -> Iterator[dict[str, Any]]:
    code = "import sys; from cli import main; sys.argv[0] = 'layer8'; sys.exit(main())"
    log = (home / f"serve-{int(time.time())}.log").open("w")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield wait_ready(proc, port, started)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def model_state(body: dict[str, Any]) -> str | None:
    value = body.get("model")
    if isinstance(value, dict):
        value = value.get("state") or value.get("status")
    return str(value) if value is not None else None


def wait_ready(
    proc: subprocess.Popen[bytes], port: int, started: float, limit: float = 900
) -> dict[str, Any]:
    """Poll /healthz until it answers and, when it reports the model, no longer says ``warming``."""
    answering: float | None = None
    states: list[str | None] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        while time.monotonic() - started < limit:
            if proc.poll() is not None:
                raise RuntimeError(f"layer8 serve exited with {proc.returncode}")
            try:
                response = client.get("/healthz")
            except httpx.HTTPError:
                time.sleep(0.25)
                continue
            now = time.monotonic() - started
            answering = answering if answering is not None else now
            state = model_state(response.json()) if response.status_code == 200 else None
            if not states or states[-1] != state:
                states.append(state)
            if response.status_code == 200 and state != "warming":  # ready, unavailable, or not reported
                return {
                    "answering_s": round(answering, 2),
                    "time_to_ready_s": round(now, 2),
                    "states": states,
                }
            time.sleep(0.25)
    raise RuntimeError(f"layer8 serve not ready after {limit:.0f} s")


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0
