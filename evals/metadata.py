"""Where a run happened: git commit, package versions and the machine, for ``results.json``."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "layer8",
    "langchain-core",
    "langchain",
    "langgraph",
    "llama_cpp_python",
    "openai",
    "sentence-transformers",
    "torch",
    "chromadb",
    "SQLAlchemy",
)
ROOT = Path(__file__).resolve().parent.parent


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git(root: Path = ROOT) -> dict[str, Any]:
    def out(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        commit = out("rev-parse", "HEAD")
        dirty = bool(out("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": dirty if commit else None}


def machine() -> dict[str, Any]:
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_start": load,
    }
