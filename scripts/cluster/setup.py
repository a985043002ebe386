"""The loopback cluster's first step (Procfile.cluster's ``setup``): wait for the Chroma server, create the
PostgreSQL database when it is missing, migrate it, seed the demo network into an empty one (indexed into the
Chroma server), then mark the cluster ready. ``--wait``: block until it is (API nodes and workers start then).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

LAYER8 = str(Path(sys.executable).with_name("layer8"))


def marker() -> Path:
    return Path(os.environ["CLUSTER_HOME"]) / "ready"


def wait_for(what: str, ready: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():  # type: ignore[operator]
        if time.monotonic() > deadline:
            sys.exit(f"cluster setup: {what} did not come up within {timeout:.0f} s")
        time.sleep(0.25)


def chroma_up() -> bool:
    url = os.environ["LAYER8_CHROMA_URL"] + "/api/v2/heartbeat"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def create_database(url: str) -> None:
    """``CREATE DATABASE`` on first start (PostgreSQL only; through the server's ``postgres`` database)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql") or not parsed.database:
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
        if found.first() is None:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
            print(f"cluster setup: created database {parsed.database}", flush=True)
    admin.dispose()


def layer8(*args: str) -> None:
    subprocess.run([LAYER8, *args], check=True)


def setup() -> None:
    marker().unlink(missing_ok=True)
    wait_for("the Chroma server", chroma_up, 120)
    create_database(os.environ["LAYER8_DATABASE_URL"])
    layer8("init")
    seed = ["seed", "--subscribers", os.environ.get("CLUSTER_SUBSCRIBERS", "200"), "--if-empty"]
    layer8(*seed, *shlex.split(os.environ.get("CLUSTER_SEED_FLAGS", "")))
    marker().parent.mkdir(parents=True, exist_ok=True)
    marker().write_text(str(os.getpid()))
    print("cluster setup: ready", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wait", action="store_true", help="wait until setup has finished")
    parser.add_argument("--timeout", type=float, default=900.0)
    options = parser.parse_args()
    if options.wait:
        wait_for("cluster setup", marker().is_file, options.timeout)
    else:
        setup()


if __name__ == "__main__":
    main()
