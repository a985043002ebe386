"""Remove contact data (e-mail addresses, phone numbers, people's names) from text before it is embedded.

Contact details are shared only after a double opt-in (DESIGN.md), so they never reach the vector store,
neither in the embedded text nor in metadata.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a run of 7+ digits with the usual separators, optionally with a leading + (E.164 or local formats)
PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s().-]{0,2}\d){6,}(?![\w])")
HANDLE = re.compile(r"(?<![\w])@[A-Za-z0-9_]{2,}")
SPACES = re.compile(r"[ \t]{2,}")


def scrub(text: str, names: Iterable[str | None] = ()) -> str:
    """``text`` without e-mails, phone numbers, @handles and the given people's names (whole words)."""
    cleaned = EMAIL.sub(" ", text)
    cleaned = PHONE.sub(" ", cleaned)
    cleaned = HANDLE.sub(" ", cleaned)
    for name in names:
        for part in _name_parts(name):
            cleaned = re.sub(rf"(?<![\w]){re.escape(part)}(?![\w])", " ", cleaned, flags=re.IGNORECASE)
    return SPACES.sub(" ", cleaned).strip()


def _name_parts(name: str | None) -> list[str]:
    if not name:
        return []
    parts = [name.strip(), *name.split()]
    # single letters and very short particles ("de", "al") would eat ordinary words
    return [part for part in parts if len(part) >= 3]
