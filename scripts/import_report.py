"""Print the import figures the layering is judged by: imports inside functions, package cycles, and
function lengths.

An ``ast`` walk over the product packages (no code is imported, so it runs without the dependencies):

- every import inside a function body, with its file and line and the comment that gives its reason;
- the package-level import graph (an edge A → B when a module of A imports a module of B, at any depth of
  the file, ``TYPE_CHECKING`` blocks included) and any cycle in it;
- the median and 90th percentile of function lengths in lines.

Exit status 1 when a package cycle exists or a function-level import has no comment.
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "cli",
    "benchmarks",
    "evals",
    "composition",
    "channels",
    "assistant",
    "tools",
    "seeding",
    "retrieval",
    "ossbss",
    "network",
    "prompts",
)
Import = ast.Import | ast.ImportFrom
Function = ast.FunctionDef | ast.AsyncFunctionDef


def python_files() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield package, path


def imported_modules(node: Import, path: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # a relative import stays inside its own package
        return [".".join(path.relative_to(ROOT).parts[: -node.level])]
    return [node.module or ""]


def function_imports(tree: ast.AST) -> Iterator[Import]:
    for function in ast.walk(tree):
        if isinstance(function, Function):
            for node in ast.walk(function):
                if isinstance(node, Import):
                    yield node


def reason(lines: list[str], node: Import) -> str:
    """The comment on the import's line, or on the line just above it."""
    own = lines[node.lineno - 1]
    if "#" in own:
        return own.split("#", 1)[1].strip()
    above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
    return above[1:].strip() if above.startswith("#") else ""


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def function_lengths(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, Function) and node.end_lineno is not None:
            yield node.end_lineno - node.lineno + 1


def main() -> int:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    inside: list[tuple[Path, Import, str]] = []
    lengths: list[int] = []
    for package, path in python_files():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        lines = text.splitlines()
        for node in ast.walk(tree):
            if isinstance(node, Import):
                for module in imported_modules(node, path):
                    top = module.split(".")[0]
                    if top in graph and top != package:
                        graph[package].add(top)
        inside.extend((path, node, reason(lines, node)) for node in function_imports(tree))
        lengths.extend(function_lengths(tree))
    print(f"imports inside functions: {len(inside)}")
    for path, node, why in inside:
        names = ", ".join(imported_modules(node, path))
        print(f"  {path.relative_to(ROOT)}:{node.lineno} {names} — {why or 'NO REASON GIVEN'}")
    found = cycles(graph)
    print(f"package cycles: {len(found)}")
    for component in found:
        print("  " + " ↔ ".join(component))
    print("package edges:")
    for package in PACKAGES:
        print(f"  {package} → {', '.join(sorted(graph[package])) or '(nothing)'}")
    p90 = statistics.quantiles(lengths, n=10)[-1]
    print(f"functions: {len(lengths)}, median {statistics.median(lengths):g} lines, p90 {p90:g} lines")
    return 1 if found or any(not why for _, _, why in inside) else 0


if __name__ == "__main__":
    sys.exit(main())
