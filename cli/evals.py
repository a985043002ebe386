"""``layer8 eval SUITE|all [options]`` and ``layer8 eval compare A B``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from assistant.settings import Settings
from cli.application import application
from evals import compare as comparison
from evals.context import EvalConfig
from evals.result import SuiteResult
from evals.runner import load, run, suite_names
from evals.suites import SUITES

eval_app = typer.Typer(
    help="Offline eval suites: matching, industry, tools, conversations, knowledge, safety.",
    no_args_is_help=True,
)


MODELS = ("fake", "local", "openai")
EMBEDDERS = ("fake", "minilm")


def register(app: typer.Typer) -> None:
    """Add this area's commands to the root ``layer8`` app."""
    for name in (*SUITES, "all"):
        eval_app.command(name)(_suite_command(name))
    eval_app.command("compare")(compare)
    app.add_typer(eval_app, name="eval")


def headline(result: SuiteResult) -> str:
    shown = {k: v for k, v in result.summary.items() if not isinstance(v, dict)}
    scores = "  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
    return f"{result.suite:14} {result.seconds:7.1f}s  {scores}"


def run_command(
    suite: str,
    model: str,
    runs: int,
    out: Path | None,
    limit: int | None,
    embedder: str | None,
    network: int,
    settings: Settings,
) -> None:
    if model not in MODELS:
        raise typer.BadParameter(f"use one of {', '.join(MODELS)}", param_hint="--model")
    if embedder is not None and embedder not in EMBEDDERS:
        raise typer.BadParameter(f"use one of {', '.join(EMBEDDERS)}", param_hint="--embedder")
    names = suite_names(suite)
    config = EvalConfig(model=model, runs=runs, embedder=embedder, limit=limit, network=network)  # type: ignore[arg-type]
    folder = out or Path("reports") / "eval" / f"{suite}-{model}"
    typer.echo(f"running {', '.join(names)} with the {model} model → {folder}")
    document = run(names, config, folder, settings=settings, progress=lambda r: typer.echo(headline(r)))
    typer.echo(f"wrote {folder / 'results.json'} and {folder / 'report.html'} ({document['seconds']:.1f}s)")
    failed = [n for n, s in document["suites"].items() if "error" in s["summary"]]
    if failed:
        typer.echo(f"suites that failed to run: {', '.join(failed)}", err=True)
        raise typer.Exit(1)


MODEL = typer.Option("fake", "--model", help="fake (scripted, deterministic), local (embedded) or openai.")
RUNS = typer.Option(1, "--runs", min=1, max=20, help="Plays per conversation/safety case (pass^k).")
OUT = typer.Option(None, "--out", help="Output folder (default reports/eval/SUITE-MODEL).")
LIMIT = typer.Option(None, "--limit", min=1, help="At most this many cases per suite (a quick look).")
EMBEDDER = typer.Option(
    None, "--embedder", help="fake or minilm (default: fake with --model fake, else minilm)."
)
NETWORK = typer.Option(30, "--network", min=0, help="Seeded businesses behind every conversation.")


def _suite_command(name: str) -> Any:
    def command(
        ctx: typer.Context,
        model: str = MODEL,
        runs: int = RUNS,
        out: Path | None = OUT,
        limit: int | None = LIMIT,
        embedder: str | None = EMBEDDER,
        network: int = NETWORK,
    ) -> None:
        run_command(name, model, runs, out, limit, embedder, network, application(ctx).settings)

    what = "every suite" if name == "all" else f"the {name} suite"
    command.__doc__ = f"Run {what}; write results.json and report.html."
    return command


def compare(
    run_a: Path = typer.Argument(..., exists=True, help="Folder (or results.json) of run A."),
    run_b: Path = typer.Argument(..., exists=True, help="Folder (or results.json) of run B."),
    out: Path | None = typer.Option(None, "--out", help="HTML file (default: B's folder/compare.html)."),
) -> None:
    """Two runs side by side: models, versions, every score and its change."""
    a, b = load(run_a), load(run_b)
    target = out or (run_b if run_b.is_dir() else run_b.parent) / "compare.html"
    comparison.write(a, b, target)
    typer.echo(comparison.text_table(a, b))
    typer.echo(f"\nwrote {target}")
