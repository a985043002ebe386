"""The process switches that must be set before any ML library is imported."""

from __future__ import annotations

import os

OFFLINE = {
    "HF_HUB_OFFLINE": "1",  # a hub lookup for a model loaded by name retries for about 77 s before failing
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def offline_environment() -> None:
    """No model hub, no telemetry (values already set by the operator win)."""
    for name, value in OFFLINE.items():
        os.environ.setdefault(name, value)
