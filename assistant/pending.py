"""How the person answers a pending action in words: an explicit "yes"/"confirm" or "no"/"cancel".

The records and their rules live in :mod:`network.pending`; this module reads the person's reply and gives
the wording the records' outcomes are told in.
"""

from __future__ import annotations

import re

from network.pending import Wording
from tools import phrases

_YES = re.compile(
    r"(yes|y|yep|yeah|yes please|confirm|confirmed|i confirm|confirm it|yes,? confirm( it)?|"
    r"yes,? (do it|go ahead)|go ahead)[.! ]*",
    re.IGNORECASE,
)
_NO = re.compile(
    r"(no|n|nope|cancel|cancel it|no,? cancel( it)?|no thanks|no,? thank you|don'?t)[.! ]*", re.I
)
WORDING = Wording(
    cancelled=phrases.CANCELLED,
    already_done=phrases.ALREADY_DONE,
    already_cancelled=phrases.ALREADY_CANCELLED,
    expired=phrases.EXPIRED,
)


def is_yes(text: str) -> bool:
    return bool(_YES.fullmatch(" ".join(text.split())))


def is_no(text: str) -> bool:
    return bool(_NO.fullmatch(" ".join(text.split())))
