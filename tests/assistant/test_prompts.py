"""All prompt text lives in ``prompts/``: every prompt renders, explains itself, and refuses holes."""

from __future__ import annotations

from pathlib import Path

import pytest

import prompts

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "var", "build", "prompts", "node_modules", ".git"}
# exact user-facing sentences (not prompts) that contain the marker; reword them, then drop them here
YOU_ARE = "You" + " are"
KNOWN = {
    "retrieval/match_reasons.py": [f'f"{YOU_ARE} both {{stage}} businesses."'],
    "channels/console/web.py": [f'"{YOU_ARE} handling this conversation."', f'"{YOU_ARE} signed out."'],
}


@pytest.mark.parametrize("name", prompts.names())
def test_every_prompt_renders_and_says_why_it_is_worded_so(name: str) -> None:
    values = {v: f"<{v}>" for v in prompts.variables(name)}
    text = prompts.render(name, **values)
    assert text and "$" not in text.replace("$$", "")
    assert all(f"<{v}>" in text for v in values)
    assert prompts.comment(name).startswith("<!-- why:"), f"{name}.md needs a why-comment"
    assert "<!--" not in text, "the comment is not sent to the model"


def test_the_expected_prompts_exist() -> None:
    expected = {"system", "onboarding", "tool_result", "tool_error", "summarise", "conversation_summary"}
    assert expected <= set(prompts.names())


def test_a_missing_or_unknown_variable_fails() -> None:
    with pytest.raises(prompts.PromptError, match="missing"):
        prompts.render("tool_result", tool="x")
    with pytest.raises(prompts.PromptError, match="no placeholder"):
        prompts.render("tool_result", tool="x", data="{}", extra="y")
    with pytest.raises(prompts.PromptError):
        prompts.render("no_such_prompt")


def test_no_prompt_text_in_python_outside_prompts() -> None:
    marker = YOU_ARE
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP or any(p.endswith(".egg-info") for p in parts):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for allowed in KNOWN.get(path.relative_to(ROOT).as_posix(), []):
            text = text.replace(allowed, "")
        if marker in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], f"prompt-like text outside prompts/: {offenders}"
