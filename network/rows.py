"""Records as plain JSON-ready dicts: the shape ``--json`` commands and the API print.

One rule for every record: the named fields in the order given, a computed value where one is passed, and
dates and times in ISO 8601.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def row_json(row: object, fields: Sequence[str], **computed: Any) -> dict[str, Any]:
    """``fields`` of ``row`` in order; a field named in ``computed`` takes that value instead."""
    return {name: plain(computed[name] if name in computed else getattr(row, name)) for name in fields}
