"""The application the commands of one ``layer8`` run share, built on first use and closed at the end.

``layer8 seed --help`` must not open a database or load a model, so the root callback only prepares the
build; the first command that asks for the application builds it, once.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from composition.container import Layer8, build


class Application:
    def __init__(self, make: Callable[[], Layer8] = build) -> None:
        self._make = make
        self._built: Layer8 | None = None

    def get(self) -> Layer8:
        if self._built is None:
            self._built = self._make()
        return self._built

    def close(self) -> None:
        if self._built is not None:
            self._built.close()


def prepare(ctx: typer.Context) -> Application:
    """The run's application holder, created on the root context (by the root callback, or on first use
    when a command group runs without the root, as in tests)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Application):
        root.obj = Application()
        root.call_on_close(root.obj.close)
    return root.obj


def application(ctx: typer.Context) -> Layer8:
    return prepare(ctx).get()
