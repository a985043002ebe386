"""A profile's text fields as lists of items: "bread, cakes; wedding cakes" is three things a business offers.

One place decides how a field splits into items (profile merging adds items, match reasons quote the item
that matched) and when an item is already there ("wedding cake" is in "bread; wedding cakes").
"""

from __future__ import annotations

import re

_COARSE = re.compile(r"[;\n]+")
_WORDS = re.compile(r"[a-z0-9]+")
SEPARATOR = "; "


def items(text: str | None) -> list[str]:
    """The field's items: split on ``;`` and new lines, then each part on commas; empty parts dropped."""
    found: list[str] = []
    for part in _COARSE.split(text or ""):
        found += [p.strip(" .") for p in part.split(",") if p.strip(" .")]
    return found


def coarse_items(text: str | None) -> list[str]:
    """The field's items split only on ``;`` and new lines ("advertising, marketing and PR" stays whole)."""
    return [p.strip(" .") for p in _COARSE.split(text or "") if p.strip(" .")]


def words(text: str | None) -> list[str]:
    """Lower-case words with a plural ``s`` dropped, so "Wedding Cakes" and "wedding cake" compare equal."""
    return [
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        for w in _WORDS.findall((text or "").lower())
    ]


def contains(text: str | None, part: str | None) -> bool:
    """True when ``part``'s words appear, in order and side by side, in ``text``."""
    wanted = " ".join(words(part))
    return bool(wanted) and f" {wanted} " in f" {' '.join(words(text))} "


def merged(before: str | None, addition: str) -> str | None:
    """``before`` with the items of ``addition`` it lacks appended, or None when nothing new is added.

    ``merged("bread, cakes", "wedding cakes") == "bread, cakes; wedding cakes"``; an addition that already
    holds the whole of ``before`` (a rewritten, longer text) replaces it, losing nothing.
    """
    old, new = (before or "").strip(), addition.strip()
    if not words(new) or contains(old, new):
        return None
    if not words(old) or contains(new, old):
        return new
    fresh = [p for p in coarse_items(new) if not contains(old, p)]
    fresh = [q for p in fresh for q in ([p] if _all_new(old, p) else items(p)) if not contains(old, q)]
    if not fresh:
        return None
    return old.rstrip(" .;,") + SEPARATOR + ", ".join(dict.fromkeys(fresh))


def excerpt(text: str | None, limit: int = 60) -> str:
    """``text`` on one line, cut at a word boundary with "…" when longer than ``limit``."""
    clean = " ".join((text or "").split()).rstrip(".")
    return clean if len(clean) <= limit else clean[: limit - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"


def _all_new(old: str, part: str) -> bool:
    return not any(contains(old, piece) for piece in items(part))
