"""The content words of a text: lower-cased, stop words dropped, crudely stemmed, so that "invoices" meets
"invoice" and "chasing" meets "chase" (used to tell which passages an answer draws on, and which playbook
steps a question asks about)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9£$€%]+(?:[-'][a-z0-9]+)*")
_STOP_WORDS = """
a about above after again all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its just me more most my no nor not now of
off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what
when where which while who whom why will with would you your yours
"""
STOP = frozenset(_STOP_WORDS.split())
_SUFFIXES = ("ing", "ed", "es", "s", "e")


def words(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 2}


def stem(word: str) -> str:
    """A crude English stem, enough to match "invoices" with "invoice" and "chasing" with "chase"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
