"""``layer8 model …``: install and check the embedded language model."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
