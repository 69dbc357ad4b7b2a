"""The house, read from its import graph: connectors at the bottom (with the one error tree),
then adapters, then the schema, then the gateway, the benchmark above it, and the command line
(`gateway.cli`, the outer shell that starts any of them, and `gateway.testing`, the pytest
plugin that does the same for tests) on top; mocks apart. No module imports
a layer above its own, and module-level imports have no circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {
    "connectors": 0,
    "adapters": 1,
    "schema": 2,
    "gateway": 3,
    "bench": 4,
    "gateway.cli": 5,
    "gateway.testing": 5,
}
APART = "mocks"
# Only these may import the mocks: the demo command and the benchmark start them.
MAY_USE_MOCKS = {"gateway.cli.main", "gateway.cli.demo", "gateway.testing", "bench"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("connectors", "adapters", "schema", "gateway", "bench", APART):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _targets(module: str, node: ast.AST) -> Iterator[str]:
    is_package = MODULES[module].name == "__init__.py"
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".")
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        for alias in node.names:
            candidate = f"{source}.{alias.name}"
            yield candidate if candidate in MODULES else source


def _module_level(tree: ast.Module) -> Iterator[ast.AST]:
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        yield node


def _imports(module_level_only: bool) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = _module_level(tree) if module_level_only else ast.walk(tree)
        graph[module] = {
            target
            for node in nodes
            for target in _targets(module, node)
            if target.split(".")[0]
            in ("connectors", "adapters", "schema", "gateway", "bench", APART)
        }
    return graph


def layer(module: str) -> str:
    for shell in ("gateway.cli", "gateway.testing"):
        if module.startswith(shell):
            return shell
    return module.split(".")[0]


def upward(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, targets in graph.items():
        own = layer(module)
        for target in targets:
            other = layer(target)
            if other == own:
                continue
            if other == APART:
                if not any(module == m or module.startswith(m + ".") for m in MAY_USE_MOCKS):
                    wrong.append(f"{module} -> {target} (the mocks stand apart)")
            elif own == APART:
                wrong.append(f"{module} -> {target} (the mocks import no layer)")
            elif LAYERS[other] > LAYERS[own]:
                wrong.append(f"{module} -> {target} (upward)")
    return sorted(wrong)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward(_imports(module_level_only=False)) == []


def test_module_level_imports_have_no_circle() -> None:
    assert circles(_imports(module_level_only=True)) == []


def test_the_checks_catch_an_upward_import_and_a_circle() -> None:
    graph = {"connectors.base": {"gateway.settings"}, "gateway.settings": set()}
    assert upward(graph) == ["connectors.base -> gateway.settings (upward)"]
    assert upward({"mocks.harness": {"adapters"}, "adapters": set()}) != []
    assert circles({"a.x": {"a.y"}, "a.y": {"a.x"}}) == [["a.x", "a.y"]]


def test_no_module_is_over_350_lines() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 350
    }
    assert long == {}
