"""The package's layout keeps its promises: no import circles, nothing imports a view module
except a URLconf, and no module grows past what one job needs.

The graph is read from the modules' own source with ``ast``, every import statement counted
(inside functions and ``TYPE_CHECKING`` blocks too: a lazy import still ties two modules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "django_vonage_meetings"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE

#: Modules that define endpoints; only URLconfs may import them.
VIEW_MODULES = {
    f"{PACKAGE}.webhooks.views",
    f"{PACKAGE}.simulator.web",
    f"{PACKAGE}.simulator.api.rooms",
    f"{PACKAGE}.simulator.api.themes",
    f"{PACKAGE}.simulator.api.misc",
    f"{PACKAGE}.simulator.api.control",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in ROOT.rglob("*.py")}


def imports(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """The package modules ``name`` imports (resolved, the package's own ancestors left out)."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # "from package import submodule" imports the submodule.
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                for alias in node.names
            ]
        else:
            continue
        for imported in targets:
            target = imported
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and not name.startswith(f"{target}.") and target != name:
                yield target


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: set(imports(name, path, known)) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return out


def test_the_graph_is_read():
    edges = graph()
    # Known edges, so a broken parser cannot pass by finding nothing.
    assert f"{PACKAGE}.webhooks.inbox" in edges[f"{PACKAGE}.webhooks.views"]
    assert f"{PACKAGE}.webhooks.rows" in edges[f"{PACKAGE}.webhooks.inbox"]
    assert f"{PACKAGE}.background" in edges[f"{PACKAGE}.tasks"]
    assert f"{PACKAGE}.models" in edges[f"{PACKAGE}.services.push"]


def test_the_detector_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles():
    assert cycles(graph()) == []


def test_only_urlconfs_import_view_modules():
    edges = graph()
    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in edges.items()
        for target in targets & VIEW_MODULES
        if not name.endswith(".urls")
    )
    assert offenders == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_stay_small(name):
    path = modules()[name]
    if "migrations" in path.parts:
        return
    lines = len(path.read_text().splitlines())
    assert lines <= 420, f"{name} has {lines} lines: does it still do one job?"
