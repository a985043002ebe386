"""Starting the loopback cluster the way ``make cluster`` does (scripts/cluster/start.sh, honcho), on free
ports, for the cluster tests and ``benchmarks/cluster_load.py``; stopped with SIGTERM to honcho, as Ctrl-C."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 300  # at load 10 the nodes took more than 120 s to start (cluster_load allows 300)
EVERYTHING = ("chroma", "model", "tmf", "setup", "api1", "api2", "worker1", "worker2", "relay", "balancer")


@dataclass
class Cluster:
    balancer: str
    nodes: list[str]
    model: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    # processes started beside honcho, each in its own process group: honcho stops the whole cluster when one
    # of its processes dies, so a process a fault run kills or stops must not be honcho's
    outside: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def start(self, name: str) -> None:
        """Start (or start again) the Procfile's ``name`` outside honcho, its output appended to the log."""
        with self.log.open("ab") as out:
            self.outside[name] = subprocess.Popen(
                ["bash", "-c", procfile_command(name)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process group of the outside process ``name`` and wait for it to end."""
        process = self.outside[name]
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=30)


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile.cluster").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise KeyError(f"no process {name!r} in Procfile.cluster")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@contextmanager
def running_cluster(
    home: Path,
    settings: dict[str, str],
    processes: Sequence[str] = EVERYTHING,
    timeout: float = START_TIMEOUT_S,
    outside: Sequence[str] = (),
) -> Iterator[Cluster]:
    """The cluster's ``processes`` with the fake model server; ``settings`` are extra environment
    (``LAYER8_DATABASE_URL``, ``LAYER8_QUEUE_URL``, channel secrets…); ``outside`` are more of the Procfile's
    processes, started beside honcho so that a fault run may kill or stop them."""
    lb, api1, api2, chroma, model, tmf = free_ports(6)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the venv was installed from
        "CLUSTER_HOME": str(home),
        "CLUSTER_PORT": str(lb),
        "CLUSTER_API1_PORT": str(api1),
        "CLUSTER_API2_PORT": str(api2),
        "CLUSTER_CHROMA_PORT": str(chroma),
        "CLUSTER_MODEL_PORT": str(model),
        "CLUSTER_TMF_PORT": str(tmf),
        "CLUSTER_MODEL": "fake",
        "CLUSTER_SUBSCRIBERS": "30",
        "CLUSTER_SEED_FLAGS": "--no-history",
        "LAYER8_EMBEDDER": "fake",
        "LAYER8_ENV": "test",
        "LAYER8_RATE_LIMIT_ENABLED": "false",
        "LAYER8_CONSOLE_SECRET": secrets.token_hex(16),
        **settings,
    }
    log = home / "honcho.log"
    with log.open("ab") as out:  # appended to, as the processes started beside honcho append
        honcho = subprocess.Popen(
            ["bash", "scripts/cluster/start.sh", *processes],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as one if honcho lingers
        )
    ports = [p for name, p in (("api1", api1), ("api2", api2)) if name in processes]
    cluster = Cluster(
        f"http://127.0.0.1:{lb}",
        [f"http://127.0.0.1:{p}" for p in ports],
        f"http://127.0.0.1:{model}",
        log,
        env,
    )
    try:
        for name in outside:
            cluster.start(name)
        _wait_until_up(cluster, honcho, timeout)
        yield cluster
    finally:
        stop(honcho)
        for name in cluster.outside:
            cluster.kill(name, signal.SIGTERM)


def _wait_until_up(cluster: Cluster, honcho: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = [n + "/healthz" for n in [*cluster.nodes, cluster.model]] + [cluster.balancer + "/_balancer"]
    while pending:
        if honcho.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the cluster did not come up; its log ends:\n{cluster.log_tail()}")
        try:
            if httpx.get(pending[0], timeout=2).status_code == 200:
                pending.pop(0)
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.25)


def stop(honcho: subprocess.Popen[bytes]) -> None:
    """SIGTERM to honcho, as Ctrl-C: it stops every process it started; the group is killed if it lingers."""
    if honcho.poll() is None:
        honcho.send_signal(signal.SIGTERM)
    try:
        honcho.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(honcho.pid, signal.SIGKILL)
        honcho.wait(timeout=10)
