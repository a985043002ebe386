"""Whether a message needs the tools at all: pure small talk is answered without offering them.

Small models call a tool for "cheers" or "ok" when tools are offered (the embedded 1.5B did, in the tools
eval). A message made only of greeting, thanks and farewell words gets a plain answer instead — unless the
assistant's last reply asked a question, when "ok" or "great" may be a yes that needs a tool.
"""

from __future__ import annotations

import re

SMALL_TALK = frozenset(
    {
        "hi",
        "hello",
        "hey",
        "hiya",
        "morning",
        "afternoon",
        "evening",
        "good",
        "night",
        "thanks",
        "thank",
        "you",
        "ta",
        "so",
        "much",
        "very",
        "many",
        "cheers",
        "ok",
        "okay",
        "great",
        "cool",
        "nice",
        "one",
        "lovely",
        "brilliant",
        "perfect",
        "awesome",
        "bye",
        "goodbye",
        "for",
        "now",
        "see",
        "later",
        "talk",
        "soon",
        "that",
        "s",
        "that's",
        "thats",
        "is",
        "was",
        "it",
        "all",
        "today",
        "helpful",
        "useful",
        "fine",
        "alright",
        "lol",
        "haha",
        "never",
        "mind",
        "sorry",
        "my",
        "bad",
        "there",
        "anyone",
        "again",
    }
)
MAX_WORDS = 6
_WORD = re.compile(r"[a-z']+")


def small_talk(text: str, last_reply: str | None = None) -> bool:
    """True when ``text`` is only small talk and does not answer a question the assistant asked."""
    if last_reply and last_reply.rstrip().endswith("?"):
        return False
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= MAX_WORDS and all(w in SMALL_TALK for w in words)
