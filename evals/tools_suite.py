"""The ``tools`` eval: single-turn utterances → did the model pick the right tool, with the right arguments?

Each case in ``evals/data/tools.jsonl`` is ``{"id", "utterance", "expected_tool": name | null,
"expected_args": {...}}``. The model sees exactly what production shows it — the system prompts for a fixed
persona (a Leeds bakery past onboarding) and the real tool schemas, or no tools for pure small talk (as
:mod:`assistant.routing` decides in production) — and is asked once. Nothing runs.

Scoring is exact and deterministic:

* **tool choice**: the first tool call's name equals ``expected_tool`` (``null``: no tool call at all);
* **arguments** (cases with a right tool choice and non-empty ``expected_args``): every expected key matches.
  Numbers match numerically (``"£2,400"``, ``"2400"`` and ``2400`` are equal); booleans exactly; strings match
  after normalisation (case, accents, punctuation, light stemming: *photographers* = *photographer*) when
  equal, or when every expected word appears among the actual value's words (``"flour supplier"`` matches
  ``"reliable flour supplier"``).

``python -m evals.tools_suite --model fake|local|openai [--holdout] [--out results.json]`` prints the table.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.llm import build_chat_model
from assistant.llm.fake import FakeChatModel
from assistant.prompting import render_system
from assistant.routing import ChatRouter, small_talk
from composition.container import build
from retrieval.embedder import build_embedder
from retrieval.knowledge import playbook_topics
from retrieval.lexical import stem
from tools.registry import schema_tools

DATA = Path(__file__).parent / "data" / "tools.jsonl"
HOLDOUT = DATA.with_name("tools_holdout.jsonl")  # written after the prompt was frozen; never tuned on
PERSONA = "Leeds Bakery"  # a subscriber past onboarding (no interview section in the prompt)
EVAL_DAY = date(2026, 11, 2)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Case:
    id: str
    utterance: str
    expected_tool: str | None
    expected_args: dict[str, Any]


@dataclass
class CaseResult:
    id: str
    expected_tool: str | None
    chosen_tool: str | None
    args: dict[str, Any]
    tool_ok: bool
    args_ok: bool | None  # None: not scored (no expected arguments, or the wrong tool)
    seconds: float
    has_expected_args: bool = False
    error: str | None = None
    reply: str = ""  # the model's text, for the reply check (evals/reply_check.py)


@dataclass
class Report:
    model: str
    results: list[CaseResult] = field(default_factory=list)

    @property
    def tool_accuracy(self) -> float:
        return _share([r.tool_ok for r in self.results])

    @property
    def argument_accuracy(self) -> float:
        """Among right tool choices with expected arguments."""
        return _share([r.args_ok for r in self.results if r.args_ok is not None])

    @property
    def argument_accuracy_all(self) -> float:
        """Among all cases with expected arguments (a wrong tool counts as wrong arguments)."""
        return _share([bool(r.args_ok) for r in self.results if r.has_expected_args])

    def latency(self) -> dict[str, float]:
        seconds = sorted(r.seconds for r in self.results)
        if not seconds:
            return {"p50": 0.0, "p95": 0.0, "mean": 0.0}
        p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
        return {"p50": statistics.median(seconds), "p95": p95, "mean": statistics.fmean(seconds)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": "tools",
            "model": self.model,
            "cases": len(self.results),
            "tool_accuracy": self.tool_accuracy,
            "argument_accuracy": self.argument_accuracy,
            "argument_accuracy_all": self.argument_accuracy_all,
            "latency_s": self.latency(),
            "results": [asdict(r) for r in self.results],
        }


def _share(flags: Sequence[bool | None]) -> float:
    return sum(1 for f in flags if f) / len(flags) if flags else 0.0


def load_cases(path: Path = DATA) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            cases.append(
                Case(raw["id"], raw["utterance"], raw["expected_tool"], raw.get("expected_args") or {})
            )
    return cases


def prompt(case: Case) -> list[BaseMessage]:
    system = render_system(
        business_name=PERSONA, missing=None, summary=None, operator="your telecom operator", today=EVAL_DAY
    )
    return [*system, HumanMessage(case.utterance)]


# --- matching ----------------------------------------------------------------------------------------------
def _words(value: Any) -> list[str]:
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    return [stem(w) for w in re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text)]


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    words = [w for w in _words(value) if _NUMBER.match(w)]
    return float(words[0]) if len(words) == 1 else None


def value_matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if expected is None:
        return actual is None
    if actual is None:
        return False
    want, got = _number(expected), _number(actual)
    if want is not None and _NUMBER.match(str(expected).replace(",", "")):
        return got is not None and abs(want - got) < 1e-9
    expected_words, actual_words = _words(expected), _words(actual)
    return expected_words == actual_words or (
        bool(expected_words) and set(expected_words) <= set(actual_words)
    )


def args_match(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    return all(value_matches(v, actual.get(k)) for k, v in expected.items())


# --- running -----------------------------------------------------------------------------------------------
def score(case: Case, reply: AIMessage, seconds: float) -> CaseResult:
    first = reply.tool_calls[0] if reply.tool_calls else None
    chosen = first["name"] if first else None
    args = dict(first["args"]) if first else {}
    tool_ok = chosen == case.expected_tool
    scored = case.expected_tool is not None and bool(case.expected_args)
    args_ok = args_match(case.expected_args, args) if scored and tool_ok else None
    return CaseResult(
        case.id,
        case.expected_tool,
        chosen,
        args,
        tool_ok,
        args_ok,
        round(seconds, 3),
        scored,
        reply=reply.text,
    )


def run(
    model: BaseChatModel,
    cases: Sequence[Case],
    *,
    name: str = "model",
    progress: Callable[[CaseResult], None] | None = None,
    router: ChatRouter | None = None,
) -> Report:
    """Ask ``model`` every case once, with the production system prompt and tool schemas; small talk (and,
    with a ``router``, what it calls chat) gets no tools, as in production."""
    bound = model.bind_tools(schema_tools())
    report = Report(name)
    for case in cases:
        started = time.perf_counter()
        try:
            chat = small_talk(case.utterance) or (router is not None and router.is_chat(case.utterance))
            asked = model if chat else bound
            reply = asked.invoke(prompt(case))
            message = reply if isinstance(reply, AIMessage) else AIMessage(content=str(reply))
            report.results.append(score(case, message, time.perf_counter() - started))
        except Exception as exc:  # a failing case counts as wrong, the run goes on
            elapsed = round(time.perf_counter() - started, 3)
            scored = case.expected_tool is not None and bool(case.expected_args)
            result = CaseResult(
                case.id, case.expected_tool, None, {}, False, None, elapsed, scored, repr(exc)[:200]
            )
            report.results.append(result)
        if progress is not None:
            progress(report.results[-1])
    return report


def oracle(cases: Sequence[Case]) -> BaseChatModel:
    """A fake model that answers every case as expected (checks the suite end to end, deterministically)."""
    by_utterance = {c.utterance: c for c in cases}

    def respond(messages: list[BaseMessage]) -> AIMessage | str:
        case = by_utterance[messages[-1].text]
        if case.expected_tool is None:
            return "Hello!"
        return FakeChatModel.call(case.expected_tool, **case.expected_args)

    return FakeChatModel(responder=respond)


def print_table(report: Report) -> None:
    latency = report.latency()
    print(f"tools eval — {report.model} — {len(report.results)} cases")
    print(f"  tool choice      {report.tool_accuracy:6.1%}")
    print(f"  arguments        {report.argument_accuracy:6.1%}  (of right tool choices)")
    print(f"  arguments, all   {report.argument_accuracy_all:6.1%}  (wrong tool = wrong arguments)")
    print(f"  latency          p50 {latency['p50']:.2f} s   p95 {latency['p95']:.2f} s")
    for r in report.results:
        if not r.tool_ok or r.args_ok is False:
            print(f"  ✗ {r.id:22} expected {r.expected_tool} got {r.chosen_tool} {json.dumps(r.args)[:90]}")


def _progress(result: CaseResult) -> None:
    mark = "✓" if result.tool_ok and result.args_ok is not False else "✗"
    print(f"{mark} {result.id} {result.seconds:.1f}s", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", choices=["fake", "local", "openai"], default="fake")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases")
    parser.add_argument("--holdout", action="store_true", help="the held-out cases (tools_holdout.jsonl)")
    parser.add_argument("--no-router", action="store_true", help="offer tools to everything but small talk")
    options = parser.parse_args(argv)
    cases = load_cases(HOLDOUT if options.holdout else DATA)[: options.limit or None]
    settings = build().settings

    if options.model == "fake":
        model = oracle(cases)
    else:
        model = build_chat_model(settings.model_copy(update={"llm_provider": options.model}))
    router = None
    if options.model != "fake" and not options.no_router:
        embedder = build_embedder("minilm", settings.embedding_model_path)
        router = ChatRouter(embedder, extra={"search_knowledge": playbook_topics()})
    report = run(model, cases, name=options.model, progress=_progress, router=router)
    print_table(report)
    if options.out:
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(json.dumps(report.to_dict(), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
