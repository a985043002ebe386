"""The terminal edge: every ``layer8`` command, gathered under one root that builds the application once.

Command modules turn arguments into calls on plain functions and classes of the packages below and print
the result; they hold no rules of their own.
"""

from __future__ import annotations

import os


def offline_environment() -> None:
    """No model hub, no telemetry: set before any ML library is imported."""
    for name, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "ANONYMIZED_TELEMETRY": "False",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }.items():
        os.environ.setdefault(name, value)


def main() -> None:
    """The ``layer8`` entry point."""
    offline_environment()
    from cli.root import run  # after the switches above: ML libraries read them when first imported

    run()
