"""The terminal edge: every ``layer8`` command, gathered under one root that builds the application once.

Command modules turn arguments into calls on plain functions and classes of the packages below and print
the result; they hold no rules of their own.
"""

from __future__ import annotations

from composition.environment import offline_environment


def main() -> None:
    """The ``layer8`` entry point."""
    offline_environment()
    from cli.root import run  # after the switches above: ML libraries read them when first imported

    run()
