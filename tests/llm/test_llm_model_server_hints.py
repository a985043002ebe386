"""The chat router's hints cross ``layer8 model serve``: the ``openai`` provider sends the ranking the router
made on the API node, and the model behind the server uses it as the embedded model uses ``narrow`` and
``prose_means`` in process. Real HTTP on a loopback socket; the real local chat model over a scripted engine,
and the rule-following fake the cluster runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from assistant.llm.fake import FakeChatModel
from assistant.llm.hints import Hintable
from assistant.llm.openai_provider import build_openai
from assistant.llm.rules import RuleChatModel
from assistant.settings import Settings
from channels.model_server.app import create_model_app
from tests.llm.test_llm_local_model import ASK, TOOLS
from tests.support import AppServer

PROSE = "You could try baking more bread."


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., BaseChatModel]]:
    """Serve a model; return an ``openai`` provider client for it, with the router's hints when given."""
    servers: list[AppServer] = []

    def client(
        model: BaseChatModel, narrow: Callable[[str], Sequence[str]] | None = None, prose: str | None = None
    ) -> BaseChatModel:
        server = AppServer(create_model_app(model, model_name="m")).__enter__()
        servers.append(server)
        settings = Settings(
            _env_file=None, home=tmp_path, llm_base_url=server.url + "/v1", llm_model="m", llm_max_retries=0
        )
        built = build_openai(settings)
        assert isinstance(built, Hintable)
        built.narrow, built.prose_means = narrow, prose  # as composition/assistant.py sets them
        return built

    yield client
    for server in servers:
        server.__exit__(None, None, None)


def test_an_empty_call_picks_among_the_tools_the_api_nodes_router_ranks_likeliest(
    served: Callable[..., BaseChatModel], local_model: Callable[..., Any]
) -> None:
    asked: list[str] = []

    def likeliest(text: str) -> list[str]:
        asked.append(text)
        return ["get_my_profile", "no_such_tool"]

    model, engine = local_model("<tools>\n\n</tools>", "{}")  # no router behind the server
    reply = served(model, likeliest).bind_tools(TOOLS).invoke(ASK)
    assert [c["name"] for c in reply.tool_calls] == ["get_my_profile"]
    assert asked == ["I need a flour supplier in Leeds"], "ranked once, on the API node"
    assert len(engine.requests) == 2, "one likely tool left: no grammar pick, only its arguments"


def test_prose_to_a_request_becomes_the_tool_it_stands_for_across_the_server(
    served: Callable[..., BaseChatModel], local_model: Callable[..., Any]
) -> None:
    model, _ = local_model(PROSE, '{"need": "flour"}')
    client = served(model, lambda text: ["find_introductions"], "find_introductions")
    reply = client.bind_tools(TOOLS).invoke(ASK)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("find_introductions", {"need": "flour"})]


def test_without_hints_the_server_decides_as_before(
    served: Callable[..., BaseChatModel], local_model: Callable[..., Any]
) -> None:
    model, _ = local_model(PROSE)
    assert served(model).bind_tools(TOOLS).invoke(ASK).text == PROSE


def test_hints_go_only_with_requests_that_offer_tools_and_unchanged(
    served: Callable[..., BaseChatModel],
) -> None:
    fake = FakeChatModel(responder=lambda messages: "ok")
    client = served(fake, lambda text: ["get_my_profile", "find_introductions"], "find_introductions")
    client.bind_tools(TOOLS).invoke(ASK)
    client.invoke(ASK)  # the tool-free final answer of a turn
    assert [c.hints for c in fake.calls] == [
        {"likely_tools": ["get_my_profile", "find_introductions"], "prose_means": "find_introductions"},
        None,
    ]


@tool
def search_knowledge(query: str) -> str:
    """Search the playbooks for advice on running the business."""
    return "Service ovens twice a year."


def test_the_clusters_fake_model_honours_the_hints_too(served: Callable[..., BaseChatModel]) -> None:
    question = [HumanMessage("my ovens keep breaking down")]  # no advice keyword the fake's rules know
    tools = [*TOOLS, search_knowledge]
    hinted = served(RuleChatModel(), lambda text: ["search_knowledge", "get_my_profile"], "search_knowledge")
    reply = hinted.bind_tools(tools).invoke(question)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("search_knowledge", {"query": "my ovens keep breaking down"})
    ]
    ranked_low = served(
        RuleChatModel(), lambda text: ["get_my_profile", "x", "search_knowledge"], "search_knowledge"
    )
    assert ranked_low.bind_tools(tools).invoke(question).tool_calls == []


def test_the_routers_similarities_cross_the_server_to_weigh_the_names_the_model_scores(
    served: Callable[..., BaseChatModel],
) -> None:
    from assistant.llm.local import LocalChatModel
    from tests.llm.test_llm_tool_choice import ScoringEngine

    engine = ScoringEngine(
        ['<tool_call>\n{"name": "', ', "arguments": {"need": "flour"}}'],
        logprobs={"find_introductions": -1.1, "get_my_profile": -0.4},  # the model alone: the profile
    )
    client = served(LocalChatModel(engine=engine), lambda text: ["find_introductions", "get_my_profile"])
    client.tool_scores = lambda text: {"find_introductions": 0.7, "get_my_profile": 0.2}  # type: ignore[attr-defined]
    reply = client.bind_tools(TOOLS).invoke(ASK)
    assert [c["name"] for c in reply.tool_calls] == ["find_introductions"]
