"""The ``layer8`` command: a root Typer app; each area registers its own commands.

Errors from the domain end as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from network.errors import Layer8Error

app = typer.Typer(
    name="layer8", help="Layer8 — the business networking layer for telcos.", no_args_is_help=True
)


def _register_all() -> None:
    # each area owns its commands; the root only gathers them
    from assistant import chat_cli, model_cli
    from channels import channel_cli, console_cli
    from channels import cli as channels_cli
    from evals import cli as evals_cli
    from network import cli as network_cli
    from network import seed_cli
    from ossbss import cli as ossbss_cli
    from retrieval import cli as retrieval_cli

    areas = (network_cli, seed_cli, retrieval_cli, chat_cli, model_cli, ossbss_cli, channels_cli, evals_cli)
    for module in (*areas, channel_cli, console_cli):
        module.register(app)


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
    offline_environment()
    logging.basicConfig(
        level=os.environ.get("LAYER8_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )
    _register_all()
    try:
        app()
    except Layer8Error as exc:
        print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
