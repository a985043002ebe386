"""All prompt text lives in ``prompts/``: every prompt renders, explains itself, and refuses holes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import prompts

ROOT = Path(__file__).resolve().parents[2]
QWEN_TEMPLATE = ROOT / "tests" / "llm" / "data" / "qwen2_5_chat_template.jinja"
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


def _rendered(business: str, day: date, *, with_tools: bool = True) -> str:
    from langchain_core.messages import HumanMessage
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from assistant.llm.template import ChatTemplate, to_template_messages
    from assistant.llm.toolspec import compact_tool
    from assistant.prompting import render_system
    from tools.registry import schema_tools

    template = ChatTemplate(QWEN_TEMPLATE.read_text(), eos_token="<|im_end|>")
    system = render_system(business_name=business, missing=None, summary=None, operator="Acme Tel", today=day)
    tools = [compact_tool(convert_to_openai_tool(t)) for t in schema_tools()] if with_tools else None
    return template.render(to_template_messages([*system, HumanMessage("hello")]), tools)


def test_the_prompt_prefix_is_shared_up_to_the_person_and_holds_every_tool_in_order() -> None:
    from tools.registry import NAMES

    bakery = _rendered("Rise Bakery", date(2026, 12, 7))
    garage = _rendered("Dale Motors", date(2026, 12, 8))
    shared = bakery[: bakery.index("Today is")]
    assert garage.startswith(shared), "everything before the session is the same for everyone, every day"
    positions = [shared.index(f'"name": "{name}"') for name in NAMES]
    assert positions == sorted(positions), "all tools, in the registry's fixed order"
    assert shared.rstrip().endswith("</tool_call>"), "the session follows the tools block"
    assert bakery.count("<|im_start|>system") == 1, "inside the one system turn, not a second one"
    session = bakery[len(shared) : bakery.index("<|im_end|>", len(shared))]
    assert "Rise Bakery" in session and "2026-12-07" in session


def test_without_tools_the_session_still_follows_the_shared_instructions() -> None:
    chat = _rendered("Rise Bakery", date(2026, 12, 7), with_tools=False)
    with_tools = _rendered("Dale Motors", date(2026, 12, 8))
    instructions = chat[: chat.index("Today is")].rstrip()
    assert with_tools.startswith(instructions), "a chat turn resumes from the evaluated tools prompt"
    assert chat.count("<|im_start|>system") == 1 and "Rise Bakery" in chat
