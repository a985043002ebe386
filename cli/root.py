"""The ``layer8`` command: a root Typer app that gathers every area's commands.

Errors from the domain end as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from channels.api.log_redaction import RedactSecrets
from cli import (
    channels,
    chat,
    classify,
    console,
    digest,
    erasure,
    evals,
    events,
    memberships,
    model,
    network,
    nps,
    onboarding,
    ossbss,
    records,
    retrieval,
    seed,
    serve,
    sign_in,
    webhooks,
)
from cli.application import prepare
from network.errors import Layer8Error

app = typer.Typer(
    name="layer8", help="Layer8 — the business networking layer for telcos.", no_args_is_help=True
)


@app.callback()
def root(ctx: typer.Context) -> None:
    prepare(ctx)


# the order in which `layer8 --help` lists the commands
for area in (
    network,
    onboarding,
    records,
    events,
    digest,
    erasure,
    memberships,
    nps,
    seed,
    retrieval,
    classify,
    chat,
    model,
    ossbss,
    webhooks,
    serve,
    sign_in,
    evals,
    channels,
    console,
):
    area.register(app)


def run() -> None:
    logging.basicConfig(
        level=os.environ.get("LAYER8_LOG_LEVEL", "WARNING"), format="%(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:  # no token or secret in any line, whoever logs it
        handler.addFilter(RedactSecrets())
    try:
        app()
    except Layer8Error as exc:
        print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
