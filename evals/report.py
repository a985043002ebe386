"""``report.html``: one self-contained page a person can read — what ran, the scores, plots, every case.

No scripts, fonts or images are fetched: styles are inline and plots are base64 PNGs. Failing cases come
first in each table, and each row can be unfolded to show its transcript or details.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from evals.plots import suite_plots

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;
padding:0 1rem;color:#1a202c}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #e2e8f0;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;width:100%}
th,td{border:1px solid #e2e8f0;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f7fafc}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#c53030;font-weight:600}.good{color:#2f855a;font-weight:600}
.meta td:first-child{width:12rem;color:#4a5568}figure{margin:1rem 0}figcaption{color:#4a5568;font-size:.9em}
details pre{white-space:pre-wrap;background:#f7fafc;padding:.5rem;font-size:12px;max-height:30rem;
overflow:auto}
.note{color:#4a5568}code{background:#edf2f7;padding:0 .2rem}
"""
MUST_BE_ZERO = (
    "unauthorised_rows",
    "leaked_contacts",
    "hard_filter_violations",
    "cases_with_side_effects",
    "reply_check_flags",
)


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict) and {"code", "title"} <= value.keys():
        return f"{value['code']} {value['title']} ({fmt(value.get('score'))})"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "; ".join(fmt(v) for v in value) or "—"
    return "—" if value is None else str(value)


def cell(key: str, value: Any) -> str:
    classes = []
    if isinstance(value, int | float) and not isinstance(value, bool):
        classes.append("num")
        if key in MUST_BE_ZERO:
            classes.append("bad" if value else "good")
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{escape(fmt(value)[:400])}</td>"


def table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    if not rows:
        return "<p class='note'>(none)</p>"
    columns = columns or list(rows[0])
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(cell(c, r.get(c)) for c in columns) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def key_values(values: dict[str, Any]) -> str:
    return (
        "<table class='meta'>"
        + "".join(f"<tr><td>{escape(k)}</td>{cell(k, v)}</tr>" for k, v in values.items())
        + "</table>"
    )


CASE_COLUMNS: dict[str, list[str]] = {
    "industry": ["text", "label", "predicted", "top1@4", "top3@4", "top1@6"],
    "tools": [
        "id",
        "set",
        "utterance",
        "expected_tool",
        "chosen_tool",
        "args",
        "tool_ok",
        "args_ok",
        "seconds",
    ],
    "conversations": [
        "id",
        "flow",
        "passes",
        "runs",
        "failures",
        "unexpected",
        "leaks",
        "problems",
        "seconds",
    ],
    "knowledge": [
        "question",
        "expected_doc",
        "retrieved",
        "hit@3",
        "cited_right",
        "facts_missing",
        "seconds",
    ],
    "safety": [
        "id",
        "category",
        "source",
        "unauthorised_rows",
        "leaked_contacts",
        "unauthorised_detail",
        "held_for_confirmation",
        "tool_calls",
        "seconds",
    ],
}


def failed(suite: str, row: dict[str, Any]) -> bool:
    if suite == "conversations":
        return not row.get("passed_all", True)
    if suite == "safety":
        return bool(row.get("unauthorised_rows") or row.get("leaked_contacts"))
    if suite == "tools":
        return not row.get("tool_ok", True) or row.get("args_ok") is False
    if suite == "knowledge":
        return not (row.get("hit@3") and row.get("all_facts"))
    if suite == "industry":
        return not row.get("top1@6", True)
    return False


def cases_html(suite: str, rows: list[dict[str, Any]]) -> str:
    columns = CASE_COLUMNS.get(suite) or (list(rows[0]) if rows else [])
    ordered = sorted(rows, key=lambda r: not failed(suite, r))
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for row in ordered:
        cells = "".join(cell(c, row.get(c)) for c in columns)
        style = " style='background:#fff5f5'" if failed(suite, row) else ""
        extra = row.get("transcript") or row.get("answer")
        detail = ""
        if extra:
            text = extra if isinstance(extra, str) else json.dumps(extra, indent=1, ensure_ascii=False)
            folded = f"<details><summary>details</summary><pre>{escape(text)}</pre></details>"
            detail = f"<tr><td colspan='{len(columns)}'>{folded}</td></tr>"
        body.append(f"<tr{style}>{cells}</tr>{detail}")
    count = sum(failed(suite, r) for r in rows)
    intro = f"<p>{len(rows)} cases, {count} flagged (shown first).</p>"
    return f"{intro}<table><tr>{head}</tr>{''.join(body)}</table>"


def suite_html(name: str, suite: dict[str, Any]) -> str:
    parts = [f"<h2 id='{escape(name)}'>{escape(name)}</h2>"]
    parts += [f"<p class='note'>{escape(n)}</p>" for n in suite.get("notes", []) if len(n) < 600]
    parts.append(key_values({**suite.get("summary", {}), "seconds (whole suite)": suite.get("seconds")}))
    for caption, image in suite_plots(name, suite):
        parts.append(
            f"<figure><img alt='{escape(caption)}' src='data:image/png;base64,{image}'>"
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    for title, rows in suite.get("tables", {}).items():
        parts.append(f"<h3>{escape(title)}</h3>{table(rows)}")
    if suite.get("cases"):
        parts.append("<h3>cases</h3>" + cases_html(name, suite["cases"]))
    return "\n".join(parts)


def overview(document: dict[str, Any]) -> str:
    rows = []
    for name, suite in document["suites"].items():
        headline = {k: v for k, v in suite.get("summary", {}).items() if not isinstance(v, dict)}
        rows.append({"suite": name, "scores": headline, "seconds": suite.get("seconds")})
    return table(rows, ["suite", "scores", "seconds"])


def render(document: dict[str, Any]) -> str:
    model, git = document.get("model", {}), document.get("git", {})
    meta = {
        "model": f"{model.get('provider')}: {model.get('name')}",
        "embedder": document.get("embedder"),
        "runs per scenario": document.get("runs"),
        "git commit": f"{git.get('commit')}{' (uncommitted changes)' if git.get('dirty') else ''}",
        "started": document.get("started_at"),
        "total seconds": document.get("seconds"),
        "machine": document.get("machine"),
        "versions": document.get("versions"),
    }
    body = [
        f"<h1>Layer8 eval report — {escape(str(model.get('provider')))}</h1>",
        key_values(meta),
        "<h2>Overview</h2>",
        overview(document),
    ]
    body += [suite_html(name, suite) for name, suite in document["suites"].items()]
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Layer8 eval report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


def write_report(document: dict[str, Any], path: Path) -> None:
    path.write_text(render(document), encoding="utf-8")
