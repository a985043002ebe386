"""The embedded model as a LangChain chat model with real ``bind_tools``, so agent code is provider-neutral.

What made Qwen2.5-Coder-1.5B reliable at tool calls (13 of 13 tools picked on our probe): its own chat
template rendered with the tools, tolerant parsing of whatever shape the call comes in, arguments validated
against the tool's JSON schema and, when they fail, only the arguments regenerated with that tool forced under
a JSON-schema grammar. Tools are not grammar-forced on every turn (a small model then calls tools for plain
questions), and after a tool result the tools are not offered again in that turn (it re-issues the same call
otherwise).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

from assistant.llm.choice import ToolChoice, normalise_tool_choice, offers_tools
from assistant.llm.engine import Warmed
from assistant.llm.final import final_chunk
from assistant.llm.hints import last_request
from assistant.llm.naming import name_slot, normalised
from assistant.llm.said_keys import Said, keys_written, said_keys
from assistant.llm.streaming import StreamGate, truncated
from assistant.llm.template import to_template_messages
from assistant.llm.toolcalls import (
    ParsedCall,
    argument_errors,
    broken_call,
    could_start_call,
    empty_call,
    opens_call,
    parse_tool_calls,
    without_invalid,
)
from assistant.llm.toolspec import compact_tool, without_optional_ids

logger = logging.getLogger(__name__)

CALL_PREFIX = '<tool_call>\n{"name": "'
MAX_STEERS = 4  # keys steered to one the person spoke to, per call


class LocalChatModel(BaseChatModel):
    """A chat model over an :class:`~assistant.llm.engine.Engine` (llama.cpp in production)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: Any = Field(exclude=True)
    model_name: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    max_tokens: int = 512
    argument_max_tokens: int = 256
    tools_after_result: bool = False
    compact_tools: bool = True
    # the tools a person's message most likely asks for, nearest first (the chat router's ranking): when the
    # model opens a call and names no tool, only these are offered to the grammar that picks one
    narrow: Callable[[str], Sequence[str]] | None = Field(default=None, exclude=True)
    # the tool that a prose answer to a request stands for, when the router ranks it among the two likeliest:
    # the 1.5B model answered a fifth of the advice questions from memory, losing the playbooks' facts
    prose_means: str | None = None
    # each tool's similarity to the person's message (the chat router's nearest labelled request): when the
    # model opens a call, the tool is the one with the best sum of the model's log-probability for its name
    # and ``router_weight`` × this similarity
    tool_scores: Callable[[str], Mapping[str, float]] | None = Field(default=None, exclude=True)
    # of 0–50, among the best on the tools suite's main set; 8 sent "no thanks to the introduction" to
    # log_referral
    router_weight: float = 6.0

    @property
    def _llm_type(self) -> str:
        return "layer8-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "max_tokens": self.max_tokens}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools like ``ChatOpenAI.bind_tools``: ``tool_choice`` is auto/none/any/required/a name."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        names = [spec["function"]["name"] for spec in formatted]
        choice = normalise_tool_choice(tool_choice, names)
        kwargs.pop("strict", None)  # the grammar-constrained repair already enforces the schema
        kwargs.pop("response_format", None)  # structured output goes through a tool (ToolStrategy) here
        return self.bind(tools=formatted, tool_choice=choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._chunks(messages, stop, None, live=False, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._chunks(messages, stop, run_manager, live=True, **kwargs)

    def warm_up(
        self,
        variants: Sequence[Sequence[BaseMessage]],
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool] = (),
    ) -> Warmed | None:
        """Have the engine evaluate (or restore) the prompt prefix every conversation shares.

        ``variants`` are turns of different people rendered with the same ``tools``: the prefix they share
        (instructions and tools block) is what later turns resume from. None when the engine cannot warm.
        """
        warm = getattr(self.engine, "warm", None)
        if warm is None:
            return None
        specs = [spec for spec in (convert_to_openai_tool(tool) for tool in tools)]
        shown = [compact_tool(s) if self.compact_tools else s for s in specs]
        prompts = [self.engine.template.render(to_template_messages(v), shown or None) for v in variants]
        result: Warmed = warm(prompts)
        return result

    # --- one turn ------------------------------------------------------------------------------------
    def _chunks(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        *,
        live: bool,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: Any = None,
        parallel_tool_calls: bool | None = None,
        max_tokens: int | None = None,
        likely_tools: Sequence[str] | None = None,
        prose_means: str | None = None,
        tool_scores: Mapping[str, float] | None = None,
        **_ignored: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """``likely_tools`` and ``prose_means``: the router's hints sent with a request to ``layer8 model
        serve`` (:mod:`assistant.llm.hints`), which stand in for ``narrow`` and ``prose_means`` there."""
        specs = {spec["function"]["name"]: spec["function"] for spec in tools or []}
        choice = normalise_tool_choice(tool_choice, list(specs))
        offered = offers_tools(messages, choice, bool(specs), self.tools_after_result)
        shown_tools = [compact_tool(t) if self.compact_tools else dict(t) for t in tools or []]
        prompt = self.engine.template.render(to_template_messages(messages), shown_tools if offered else None)
        if offered and choice not in (None, "auto"):
            text, calls = "", self._forced(prompt, specs, choice)
        else:
            live = live and not stop  # stop words are applied to the whole text at the end
            limit = max_tokens or self.max_tokens  # a caller's cap (``bind(max_tokens=…)``), as ChatOpenAI
            offered_specs = specs if offered else {}
            asked = last_request(messages)
            if likely_tools is None:
                likely, standing_for = self._likely(asked, offered_specs), self.prose_means
                near = dict(self.tool_scores(asked)) if self.tool_scores is not None and asked else {}
            else:
                likely, standing_for = [n for n in likely_tools if n in offered_specs], prose_means
                near = dict(tool_scores or {})
            free = self._free(
                prompt, offered_specs, stop, run_manager, live, limit, likely, standing_for, near, asked
            )
            text, calls = yield from free
        if calls and parallel_tool_calls is False:
            calls = calls[:1]
        yield self._final(prompt, text, calls)

    def _free(
        self,
        prompt: str,
        specs: Mapping[str, Mapping[str, Any]],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        live: bool,
        max_tokens: int,
        likely: list[str],
        prose_means: str | None,
        near: Mapping[str, float],
        asked: str = "",
    ) -> Generator[ChatGenerationChunk, None, tuple[str, list[ParsedCall]]]:
        """Generate freely; prose streams when ``live``. Returns (text not yet yielded, calls). ``likely``:
        the router's likeliest offered tools; ``prose_means``: the tool a prose answer stands for."""
        standing = prose_means if prose_means in likely[:2] else None
        gate = StreamGate() if live and standing is None else None
        pieces = []
        stream = self.engine.generate(prompt, max_tokens=max_tokens)
        for piece in stream:
            pieces.append(piece)
            text = "".join(pieces)
            if standing is not None and not could_start_call(text):
                stream.close()  # the engine is held while a generation is open: end this one first
                name = (
                    self._choose(prompt + CALL_PREFIX, list(specs), near) if self._can_choose() else standing
                )
                logger.info("model began a prose answer to a request; calling %s instead", name)
                said = said_keys(_parameters(specs[name]), asked)
                return "", [self._arguments_for(prompt, name, specs[name], said)]
            slot = name_slot(text) if specs and self._can_choose() and opens_call(text) else None
            if slot is not None:
                stream.close()  # the model opened a call and reached its name: the name is chosen here
                name = self._choose(prompt + slot, list(specs), near)
                return "", [self._call_after(prompt, slot, name, specs, asked)]
            shown = gate.feed(piece) if gate else ""
            if shown:
                if run_manager:
                    run_manager.on_llm_new_token(shown)
                yield ChatGenerationChunk(message=AIMessageChunk(content=shown))
        rest = gate.held if gate else truncated("".join(pieces), stop)
        parsed = parse_tool_calls(rest, specs.keys()) if specs else None
        if not parsed or not parsed.calls:
            on_screen = bool(gate and gate.shown.strip())  # prose already shown is an answer, not a call
            rescued = self._rescued(prompt, rest, specs, likely) if specs and not on_screen else None
            if rescued is not None:
                return "", [rescued]
            return (rest.rstrip() if gate else rest.strip()), []
        calls = [self._repaired(prompt, c, specs[c.name]) for c in parsed.calls]
        return parsed.content, calls

    def _scorer(self, head: str) -> Callable[[list[str]], Mapping[str, float]]:
        """Log-probabilities of options continuing ``head``; none when the engine cannot score."""
        return partial(self.engine.option_logprobs, head) if self._can_choose() else lambda _: {}

    def _can_choose(self) -> bool:
        return callable(getattr(self.engine, "option_logprobs", None))

    def _choose(self, head: str, names: list[str], near: Mapping[str, float]) -> str:
        """The tool a call is for, ``head`` being the prompt up to the opening quote of the call's name:
        the model's own likelihood of each name there (normalised over the offered ones) plus
        ``router_weight`` × the router's similarity of the message to that tool's labelled requests. Greedy
        decoding took the model's first choice alone (tools suite, main set: 70 of 73 requests; with the
        router's similarity, 72)."""
        if len(names) == 1:
            return names[0]
        raw = self.engine.option_logprobs(head, [f'{name}"' for name in names])
        model = normalised({name: raw[f'{name}"'] for name in names})
        scored = {name: model[name] + self.router_weight * near.get(name, 0.0) for name in names}
        chosen = max(names, key=lambda name: scored[name])
        first = max(names, key=lambda name: model[name])
        if chosen != first:
            logger.info("router moved the call from %s to %s", first, chosen)
        return chosen

    def _call_after(
        self, prompt: str, slot: str, name: str, specs: Mapping[str, Mapping[str, Any]], asked: str = ""
    ) -> ParsedCall:
        """The call the model began (``slot``, up to its name's opening quote), with ``name`` put in and the
        rest written by the model in its own shape, read as soon as the call parses; the arguments under the
        tool's grammar when it does not. Arguments the person's words do not speak to (:mod:`said_keys`)
        are not written: the call ends before one, or goes on with the next argument they did speak to."""
        said = said_keys(_parameters(specs[name]), asked)
        written, found = f'{slot}{name}"', None
        for _ in range(MAX_STEERS):
            written, found, steered = self._write_call(prompt, written, name, specs, said)
            if not steered:
                break
        if found is not None:
            kept = ParsedCall(found.name, said.kept(found.args)) if said else found
            return self._repaired(prompt, kept, specs[name])
        logger.info("the call to %s did not parse; writing its arguments under grammar", name)
        return self._arguments_for(prompt, name, specs[name], said)

    def _write_call(
        self,
        prompt: str,
        written: str,
        name: str,
        specs: Mapping[str, Mapping[str, Any]],
        said: Said | None,
    ) -> tuple[str, ParsedCall | None, bool]:
        """Go on writing the call; (text, the call once it parses, whether a key was steered and the call
        must be written on from the new text)."""
        stream = self.engine.generate(prompt + written, max_tokens=self.argument_max_tokens)
        try:
            judged = len(keys_written(written)) if said else 0
            for piece in stream:
                written += piece
                keys = keys_written(written) if said else []
                if said and len(keys) > judged:
                    judged = len(keys)
                    key = keys[-1]
                    if key.name not in said.allowed:
                        stream.close()  # the engine is held while a generation is open: scoring waits on it
                        head = prompt + written[: key.quote_at + 1]
                        instead = said.instead(keys[:-1], self._scorer(head))
                        logger.info("call to %s: %s not spoken to; %s", name, key.name, instead or "ended")
                        if instead is not None:
                            return f'{written[: key.quote_at + 1]}{instead}"', None, True
                        # after the last key kept; for a first key, an empty arguments object
                        written = written[: key.after_at if keys[:-1] else key.quote_at] + "}}"
                        calls = parse_tool_calls(written, specs.keys()).calls
                        return written, (calls[0] if calls and calls[0].name == name else None), False
                if "}" in piece and (calls := parse_tool_calls(written, specs.keys()).calls):
                    return written, (calls[0] if calls[0].name == name else None), False
            return written, None, False
        finally:
            stream.close()  # before any repair: a generation holds the engine while it is open

    def _likely(self, asked: str, specs: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """The offered tools the router ranks likeliest for the person's message, nearest first."""
        if not (specs and self.narrow and asked):
            return []
        return [name for name in self.narrow(asked) if name in specs]

    def _rescued(
        self, prompt: str, text: str, specs: Mapping[str, Mapping[str, Any]], likely: list[str]
    ) -> ParsedCall | None:
        """A call for what the 1.5B model began and did not finish (measured on the tools suite: 9 of 132
        requests came back as a bare tool name, a call with a brace missing, an empty ``<tools></tools>``
        or nothing). A named tool gets its arguments under its grammar; an empty call picks the tool under
        a grammar of names — the router's likeliest few when there is a router (unnarrowed, the model
        picked a knowledge search for "who do I speak to about being charged twice?"). Prose is left
        alone."""
        name = broken_call(text, specs.keys())
        if name is None and empty_call(text):
            names = likely or list(specs)
            logger.info("model opened a call and named no tool; picking one of %s under grammar", names)
            name = names[0] if len(names) == 1 else self._pick_tool(prompt, names)
        if name is None:
            return None
        logger.info("model left its call to %s unfinished; writing its arguments under grammar", name)
        return self._arguments_for(prompt, name, specs[name])

    def _forced(
        self, prompt: str, specs: Mapping[str, Mapping[str, Any]], tool_choice: ToolChoice
    ) -> list[ParsedCall]:
        if isinstance(tool_choice, str) and tool_choice in specs:
            return [self._arguments_for(prompt, tool_choice, specs[tool_choice])]
        name = self._pick_tool(prompt, list(specs))
        return [self._arguments_for(prompt, name, specs[name])]

    def _pick_tool(self, prompt: str, names: list[str]) -> str:
        """``tool_choice="any"``: the grammar allows only a known tool name."""
        schema = {"type": "string", "enum": names}
        text = "".join(self.engine.generate(prompt + CALL_PREFIX[:-1], max_tokens=32, schema=schema))
        return str(json.loads(text))

    def _repaired(self, prompt: str, call: ParsedCall, spec: Mapping[str, Any]) -> ParsedCall:
        errors = argument_errors(call.args, _parameters(spec))
        if not errors:
            return call
        kept = without_invalid(call.args, _parameters(spec))
        if kept is not None:
            logger.info("arguments for %s failed their schema (%s); dropping them", call.name, errors[:3])
            return ParsedCall(call.name, kept)
        logger.info("arguments for %s failed their schema (%s); regenerating them", call.name, errors[:3])
        return self._arguments_for(prompt, call.name, spec)

    def _arguments_for(
        self, prompt: str, name: str, spec: Mapping[str, Any], said: Said | None = None
    ) -> ParsedCall:
        """Only the arguments, with the tool fixed, under its JSON-schema grammar (only those ``said``
        allows, when it is given)."""
        head = f'{CALL_PREFIX}{name}", "arguments": '
        schema = _parameters(spec)
        grammar = without_optional_ids(said.only(schema) if said else schema)
        text = "".join(
            self.engine.generate(prompt + head, max_tokens=self.argument_max_tokens, schema=grammar)
        )
        try:
            args = json.loads(text)
        except json.JSONDecodeError:
            logger.warning("grammar-constrained arguments for %s did not decode", name)
            args = {}
        args = args if isinstance(args, dict) else {}
        # the grammar keeps the JSON's shape, not its ranges: sampling, the model wrote a 5e15 km service
        # radius into a new bakery's profile, and the whole change was refused
        kept = without_invalid(args, schema) if argument_errors(args, schema) else None
        return ParsedCall(name, kept if kept is not None else args)

    def _final(self, prompt: str, text: str, calls: list[ParsedCall]) -> ChatGenerationChunk:
        return final_chunk(self.engine.count_tokens, self.model_name, prompt, text, calls)


def _parameters(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The tool's argument schema; unlisted arguments count as errors (the repair grammar forbids them too,
    and the project's tools declare ``extra="forbid"``)."""
    params = dict(spec.get("parameters") or {"type": "object", "properties": {}})
    params.setdefault("additionalProperties", False)
    return params
