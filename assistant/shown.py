"""What of the model's own text a person may see: never a tool's name, a call written out, or the prompt's
own instructions read back.

The embedded 1.5B model copies what it was shown. The tools suite caught it answering "Cheers", "Lovely, see
you soon" and "Hello, is anyone there?" with "no tool: answer yourself in a sentence or two." — the right-hand
side of the system prompt's last example, read back as if it were the answer (5 of 48 small-talk cases). Such
a reply is replaced by the server's own line for a message that needs no tool. The product (``service``) and
the eval suites' reply check both go through :func:`shown_text`, so the suites score what a person would see.
"""

from __future__ import annotations

import re
from functools import cache

import prompts
from assistant.llm.toolcalls import parse_tool_calls
from tools import phrases
from tools.registry import NAMES

_NAMES = "|".join(NAMES)
# any case: a written call is recognised as "Search_knowledge {...}" too (assistant/llm/toolcalls.py)
_TOOL_NAME = re.compile(rf"\b(?:{_NAMES})\b", re.IGNORECASE)
_CALL_TEXT = re.compile(rf"<tools?>|<tool_call>|^\s*(?:{_NAMES})\s*[({{]")
_WORD = re.compile(r"[a-z0-9']+")
# fewer words than this may be in the prompt by chance ("Goodbye!", "Thank you")
MIN_ECHO_WORDS = 4


def names_a_tool(text: str) -> bool:
    """Whether ``text`` names a tool: a call written out, or prose no person writes (`find_introductions`)."""
    return bool(_TOOL_NAME.search(text))


def written_call(text: str) -> bool:
    """Whether ``text`` is (or carries) a tool call written out as prose."""
    return bool(_CALL_TEXT.search(text)) or bool(parse_tool_calls(text, NAMES).calls)


def echoes_instructions(text: str) -> bool:
    """Whether ``text`` is the system prompt's own words read back: every sentence of it, at least
    :data:`MIN_ECHO_WORDS` words long in all, appears word for word in the instructions."""
    words = _words(text)
    if len(words) < MIN_ECHO_WORDS:
        return False
    instructions = f" {' '.join(_words(_instructions()))} "
    sentences = [s for s in re.split(r"[.!?\n]+", text) if _words(s)]
    return all(f" {' '.join(_words(s))} " in instructions for s in sentences)


def shown_text(body: str) -> str:
    """``body`` as the person sees it: a written call becomes the plain apology, the prompt read back
    becomes the server's line for a message that needs no tool."""
    if written_call(body):
        return phrases.MODEL_EMPTY
    if echoes_instructions(body):
        return phrases.NO_TOOL_NEEDED
    return body


@cache
def _instructions() -> str:
    return prompts.render("system", operator="")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))
