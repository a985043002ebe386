"""All prompt text Layer8 sends to a language model, as template files beside this module.

``render("system", business_name="Acme")`` reads ``system.md``, drops its leading ``<!-- why … -->`` comment
(each file says why it is worded as it is) and substitutes ``$name`` / ``${name}`` placeholders. Rendering
fails on a missing variable and on a variable the template does not use, so a renamed placeholder cannot
silently produce a prompt with a hole in it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from string import Template

_COMMENT = re.compile(r"\A\s*<!--.*?-->\s*", re.DOTALL)
_SUFFIX = ".md"


class PromptError(Exception):
    """A prompt that cannot be rendered: a programming error, so it is not one of the domain's errors
    (this package imports nothing of the product, so any layer may render prompts)."""

    code = "prompt_error"


def names() -> list[str]:
    """Every prompt shipped in this package, by name (the file name without ``.md``)."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name[: -len(_SUFFIX)] for f in files if f.name.endswith(_SUFFIX))


@cache
def source(name: str) -> str:
    """The template text of ``name`` without its leading comment."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise PromptError(f"bad prompt name {name!r}")
    path = resources.files(__name__).joinpath(name + _SUFFIX)
    if not path.is_file():
        raise PromptError(f"no prompt named {name!r}")
    return _COMMENT.sub("", path.read_text(encoding="utf-8"), count=1)


def comment(name: str) -> str:
    """The ``<!-- why … -->`` comment at the top of the file ('' when there is none)."""
    path = resources.files(__name__).joinpath(name + _SUFFIX)
    match = _COMMENT.match(path.read_text(encoding="utf-8"))
    return match.group(0).strip() if match else ""


def variables(name: str) -> set[str]:
    """The placeholders ``name`` expects."""
    found = set()
    for match in Template.pattern.finditer(source(name)):
        named = match.group("named") or match.group("braced")
        if named:
            found.add(named)
    return found


def render(name: str, **values: object) -> str:
    """Render prompt ``name``; every placeholder must be given, and nothing else."""
    expected = variables(name)
    missing = expected - values.keys()
    if missing:
        raise PromptError(f"prompt {name!r} is missing {sorted(missing)}")
    unknown = values.keys() - expected
    if unknown:
        raise PromptError(f"prompt {name!r} has no placeholder {sorted(unknown)}")
    text = Template(source(name)).substitute({k: str(v) for k, v in values.items()})
    return text.strip()
