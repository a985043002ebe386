"""The OpenAI-compatible HTTP app: ``POST /v1/chat/completions`` (tools; whole or streamed as Server-Sent
Events), ``GET /v1/models`` and ``GET /healthz``.

Any LangChain chat model with ``bind_tools`` can sit behind it; in production the embedded llama.cpp model
(:class:`~assistant.llm.local.LocalChatModel`), whose prompt-prefix cache every request shares because one
process holds it. Errors use OpenAI's body shape (``{"error": {...}}``) rather than problem+json: the clients
of this API are OpenAI clients, which read ``error.message``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.runnables import Runnable
from pydantic import SecretStr

from channels.model_server import wire
from channels.model_server.queue import GenerationQueue, QueueFull
from network.errors import Layer8Error

logger = logging.getLogger(__name__)
RETRY_AFTER_S = 2


def create_model_app(
    model: BaseChatModel,
    *,
    model_name: str,
    queue: GenerationQueue | None = None,
    api_key: SecretStr | None = None,
    prepare: Callable[[list[BaseMessage]], list[BaseMessage]] | None = None,
) -> FastAPI:
    """The app serving ``model`` under ``model_name``; one generation at a time through ``queue``.
    ``prepare`` restores what the wire cannot carry (where a system message's per-person part starts)."""
    app = FastAPI(title="Layer8 model server", docs_url=None, redoc_url=None, openapi_url=None)
    line = queue or GenerationQueue()
    app.state.queue = line

    @app.middleware("http")
    async def bearer_key(request: Request, call_next: Callable[[Request], Any]) -> Any:
        if api_key is not None and request.url.path.startswith("/v1/") and not _authorised(request, api_key):
            body = wire.error("a valid bearer key is required", "authentication_error", "invalid_api_key")
            return JSONResponse(body, status_code=401)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
        return JSONResponse(wire.error(where, "invalid_request_error", "invalid_request"), status_code=400)

    @app.exception_handler(QueueFull)
    async def busy(_request: Request, exc: QueueFull) -> JSONResponse:
        body = wire.error(f"the model is busy ({exc}); try again", "server_error", "model_busy")
        return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)})

    @app.exception_handler(Layer8Error)
    async def failed(_request: Request, exc: Layer8Error) -> JSONResponse:
        status = 400 if exc.code == "model_context_exceeded" else 503
        return JSONResponse(wire.error(exc.message, "server_error", exc.code), status_code=status)

    @app.get("/healthz")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "model": model_name, "waiting": line.waiting, "served": line.served}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return wire.models(model_name)

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request, body: wire.ChatRequest) -> JSONResponse | StreamingResponse:
        bound, messages = _bound(model, body), wire.to_messages(body.messages)
        if prepare is not None:
            messages = prepare(messages)
        ident, gone = wire.completion_id(), threading.Event()
        pieces = line.stream(lambda: bound.stream(messages, stop=body.stop_words), gone)
        watcher = asyncio.create_task(_watch(request, gone))  # until the answer starts: a client may leave
        try:
            if body.stream:
                include_usage = bool(body.stream_options and body.stream_options.include_usage)
                first = await _first(pieces)  # a busy queue or a failure still answers with a status
                sse = _events(first, pieces, model_name, ident, include_usage)
                headers = {"Cache-Control": "no-cache"}
                return StreamingResponse(sse, media_type="text/event-stream", headers=headers)
            reply = await _whole(pieces)
        finally:
            watcher.cancel()
        if reply is None:  # the client left before its turn; nobody reads this
            return JSONResponse(wire.error("the client went away", "server_error", "gone"), status_code=408)
        return JSONResponse(wire.completion(_as_ai(reply), model_name, ident))

    return app


def _authorised(request: Request, api_key: SecretStr) -> bool:
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(sent.encode(), api_key.get_secret_value().encode())


def _bound(model: BaseChatModel, body: wire.ChatRequest) -> Runnable[LanguageModelInput, BaseMessage]:
    options: dict[str, Any] = {}
    if body.token_cap is not None:
        options["max_tokens"] = body.token_cap
    if body.parallel_tool_calls is not None:
        options["parallel_tool_calls"] = body.parallel_tool_calls
    if body.tools and body.layer8 is not None:  # the router's hints, for this request only
        options["likely_tools"] = body.layer8.likely_tools
        options["prose_means"] = body.layer8.prose_means
        options["tool_scores"] = body.layer8.tool_scores
    if body.tools:
        choice: Any = body.tool_choice  # OpenAI's {"type": "function", …} form too: the models normalise it
        return model.bind_tools(body.tools, tool_choice=choice, **options)
    return model.bind(**options) if options else model


async def _watch(request: Request, gone: threading.Event) -> None:
    """Set ``gone`` when the client disconnects. The body is already read, so the next ASGI message is the
    disconnect (polling Starlette's ``is_disconnected`` never saw a client that had timed out here)."""
    while (await request.receive())["type"] != "http.disconnect":
        continue
    gone.set()


async def _whole(pieces: AsyncIterator[BaseMessage]) -> BaseMessage | None:
    """The pieces summed into one message (None when there were none)."""
    total: AIMessageChunk | None = None
    async for piece in pieces:
        chunk = piece if isinstance(piece, AIMessageChunk) else AIMessageChunk(content=piece.text)
        total = chunk if total is None else total + chunk
    return total


async def _first(pieces: AsyncIterator[BaseMessage]) -> BaseMessage | None:
    try:
        return await anext(pieces)
    except StopAsyncIteration:
        return None


async def _events(
    first: BaseMessage | None,
    pieces: AsyncIterator[BaseMessage],
    model_name: str,
    ident: str,
    include_usage: bool,
) -> AsyncIterator[str]:
    total: AIMessageChunk | None = None
    opened = False

    async def rest() -> AsyncIterator[BaseMessage]:
        if first is not None:
            yield first
        async for piece in pieces:
            yield piece

    try:
        async for piece in rest():
            chunk = piece if isinstance(piece, AIMessageChunk) else AIMessageChunk(content=piece.text)
            total = chunk if total is None else total + chunk
            data = wire.delta_chunk(chunk, model_name, ident, first=not opened)
            if data is not None:
                opened = True
                yield _sse(data)
    except Exception as exc:  # headers are gone: the stream ends with an error event, as OpenAI's does
        logger.warning("generation failed mid-stream (%s)", type(exc).__name__)
        yield _sse(wire.error(str(exc)[:200], "server_error", getattr(exc, "code", "model_failed")))
        return
    called = bool(total is not None and total.tool_call_chunks)
    yield _sse(wire.final_chunk(model_name, ident, called=called))
    if include_usage and total is not None:
        yield _sse(wire.usage_chunk(total, model_name, ident))
    yield "data: [DONE]\n\n"


def _sse(data: dict[str, Any]) -> str:
    return f"data: {json.dumps(data, separators=(',', ':'))}\n\n"


def _as_ai(reply: BaseMessage) -> AIMessage:
    return reply if isinstance(reply, AIMessage) else AIMessage(content=reply.text)
