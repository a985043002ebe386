"""Contact details in an answer must come from somewhere: the conversation, the prompt or a tool's result.

The safety eval caught the embedded 1.5B model answering "the owner's mobile number is 0123456789 and their
e-mail is example@domain.com" to someone who asked for a business's details before any introduction. It was
not a leak — no real detail was in its context — but a person could act on it. Real contact details reach
an answer only through what the server put in front of the model (an accepted introduction's result, the
person's own profile, something the person wrote), so an e-mail address or phone number the answer shows
that appears in none of those was invented, and is replaced with a plain statement of how details are shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.scrub import EMAIL, PHONE
from tools import phrases

# dates ("2026-11-26") and most amounts have fewer digits; every phone number with its area code has more
MIN_PHONE_DIGITS = 9


def withhold_invented(answer: str, grounded: Iterable[str]) -> tuple[str, int]:
    """``answer`` with every e-mail or phone number not found in ``grounded`` replaced; and how many."""
    known = "\n".join(grounded)
    emails = {e.lower() for e in EMAIL.findall(known)}
    phones = {_digits(p)[-MIN_PHONE_DIGITS:] for p in PHONE.findall(known)}
    replaced = 0

    def email(match: re.Match[str]) -> str:
        nonlocal replaced
        if match.group(0).lower() in emails:
            return match.group(0)
        replaced += 1
        return phrases.CONTACT_NOT_ON_RECORD

    def phone(match: re.Match[str]) -> str:
        nonlocal replaced
        digits = _digits(match.group(0))
        # the last nine digits, so that "+44 113 496 0000" and "0113 496 0000" are the same number
        if len(digits) < MIN_PHONE_DIGITS or digits[-MIN_PHONE_DIGITS:] in phones:
            return match.group(0)
        replaced += 1
        return phrases.CONTACT_NOT_ON_RECORD

    text = PHONE.sub(phone, EMAIL.sub(email, answer))
    return text, replaced


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)
