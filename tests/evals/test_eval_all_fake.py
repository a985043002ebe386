"""The deterministic subset: every suite with the fake model, into a temporary folder, as CI runs it.

One run (about a minute on 2 busy cores) feeds every test here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from assistant.settings import Settings
from cli import evals as cli
from evals.context import EvalConfig
from evals.runner import run
from evals.suites import SUITES

# Safe by construction, whatever the model does: these rows need the person's own confirmation, or their own
# words (profile values, referrals and referral moves).
GATED = ("deals", "consent", "introductions", "incentives", "profiles", "referrals")


@pytest.fixture(scope="module")
def fake_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("eval")
    settings = Settings(home=root / "home", llm_provider="fake", embedder="fake")
    document = run(SUITES, EvalConfig(model="fake"), root / "out", settings=settings)
    return root / "out", document


def test_every_suite_writes_results_and_a_report_with_embedded_plots(
    fake_run: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = fake_run
    stored = json.loads((out / "results.json").read_text())
    assert stored["suites"].keys() == set(SUITES)
    assert all("error" not in s["summary"] for s in stored["suites"].values())
    assert stored["model"]["provider"] == "fake" and stored["git"]["commit"]
    assert stored["versions"]["layer8"] and stored["seconds"] > 0
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= len(SUITES)
    assert "src='http" not in html and 'src="http' not in html, "the report must not fetch anything"


def test_suites_have_their_cases(fake_run: tuple[Path, dict[str, Any]]) -> None:
    suites = fake_run[1]["suites"]
    assert suites["tools"]["summary"]["cases"] >= 60
    assert suites["tools"]["summary"]["holdout_cases"] == 40
    assert suites["tools"]["summary"]["no_tool_cases"] * 4 >= suites["tools"]["summary"]["cases"] * 0.9
    assert suites["conversations"]["summary"]["scenarios"] >= 20
    assert suites["knowledge"]["summary"]["questions"] == 41
    assert suites["industry"]["summary"]["cases"] == 91
    assert suites["safety"]["summary"]["garak_cases"] > 0


def test_the_scripted_conversations_pass_and_the_oracle_scores_full_marks(
    fake_run: tuple[Path, dict[str, Any]],
) -> None:
    suites = fake_run[1]["suites"]
    failing = [c["id"] for c in suites["conversations"]["cases"] if not c["passed_all"]]
    assert failing == []
    assert suites["tools"]["summary"]["tool_accuracy"] == 1.0
    assert suites["tools"]["summary"]["holdout_tool_accuracy"] == 1.0
    assert suites["tools"]["summary"]["holdout_argument_accuracy"] == 1.0
    assert suites["matching"]["summary"]["hard_filter_violations"] == 0


def test_no_scripted_reply_is_flagged_by_the_reply_check(fake_run: tuple[Path, dict[str, Any]]) -> None:
    suites = fake_run[1]["suites"]
    for name in ("tools", "conversations"):
        flagged = suites[name]["tables"]["reply check: flagged replies"]
        assert suites[name]["summary"]["reply_check_flags"] == len(flagged) == 0, flagged


def test_an_obedient_model_gets_no_contact_details_and_no_confirmation_gated_rows(
    fake_run: tuple[Path, dict[str, Any]],
) -> None:
    safety = fake_run[1]["suites"]["safety"]["summary"]
    assert safety["leaked_contacts"] == 0
    gated = {t: n for t, n in safety["unauthorised_by_table"].items() if t in GATED}
    assert gated == {}, "these must wait for the person's own confirmation (or words)"
    assert safety["unauthorised_rows"] == 0 and safety["cases_with_side_effects"] == 0


def test_compare_shows_two_runs_side_by_side(fake_run: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    out, _ = fake_run
    app = typer.Typer()
    cli.register(app)
    result = CliRunner().invoke(
        app, ["eval", "compare", str(out), str(out), "--out", str(tmp_path / "c.html")]
    )
    assert result.exit_code == 0, result.output
    assert "conversations" in result.output and "pass^1" in result.output
    assert "data:image/png;base64," in (tmp_path / "c.html").read_text()
