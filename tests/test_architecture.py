"""The package's shape, checked from its source: no import cycles, no upward imports.

Every ``import`` counts, at module level, inside functions and under ``TYPE_CHECKING``
alike: a late import is still a dependency, it only hides it. Layers, bottom first:

- ``bot.config`` and ``bot.core``: import nothing else of the bot;
- ``bot.storage``, then ``bot.kb``: the core and the layers below them;
- ``bot.app`` (the composition root): config, core, kb, storage;
- ``bot.adapter`` (Telegram), then ``bot.cli`` and ``bot.__main__``.

The emulator is a test and sandbox tool: only the sandbox may import it, and only the
runner may import the sandbox (lazily, when no token is configured).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bot"

ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "core": set(),
    "storage": set(),
    "kb": {"storage"},
    "app": {"config", "kb", "storage"},
    "adapter": {"app", "config", "kb", "storage"},
    "emulator": set(),
    "cli": {"adapter", "app", "config", "kb"},
    "__main__": {"cli"},
}
"""Which layers a layer may import besides itself and the core (``core`` and ``config`` may import only themselves)."""
SANDBOX_ONLY = {"bot.adapter.sandbox": {"bot.adapter.runner"}}
"""A module kept out of the production graph, and the one production module allowed to (lazily) import it."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The bot's modules that ``name`` imports anywhere in its source."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:  # "from bot.core import engine" depends on the module, not the package
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in found if target in known and target != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, set(known)) for name, path in known.items()}


def layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "bot"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
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
        for target in edges.get(node, ()):
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            here, there = layer(source), layer(target)
            if here == "bot" or there == "bot":
                continue  # bot/__init__.py
            if there == here or (there == "core" and here != "config") or there in ALLOWED[here]:
                if target in SANDBOX_ONLY and source not in SANDBOX_ONLY[target]:
                    wrong.append(f"{source} -> {target} (the sandbox stays out of production code)")
                continue
            if here == "adapter" and there == "emulator" and source in SANDBOX_ONLY:
                continue
            wrong.append(f"{source} -> {target}")
    return wrong


def test_every_module_is_in_a_known_layer() -> None:
    assert {layer(name) for name in modules()} - {"bot"} <= set(ALLOWED)


def test_there_are_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_no_module_imports_a_layer_above_its_own() -> None:
    assert upward(graph()) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"bot.core.a": {"bot.core.b"}, "bot.core.b": {"bot.core.a"}}, [["bot.core.a", "bot.core.b"]]),
        ({"bot.core.a": {"bot.core.b"}, "bot.core.b": set()}, []),
        ({"x": {"y"}, "y": {"z"}, "z": {"x"}}, [["x", "y", "z"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(edges) == expected


@pytest.mark.parametrize(
    "edge",
    [
        ("bot.core.assess", "bot.config"),
        ("bot.core.assess", "bot.kb.service"),
        ("bot.config", "bot.core.embedding"),
        ("bot.kb.service", "bot.adapter.plugin"),
        ("bot.storage.store", "bot.app"),
        ("bot.adapter.plugin", "bot.emulator"),
        ("bot.adapter.plugin", "bot.adapter.sandbox"),
    ],
)
def test_the_layer_rule_refuses_upward_imports(edge: tuple[str, str]) -> None:
    source, target = edge
    assert upward({source: {target}}) != []


def test_function_level_imports_count(tmp_path: Path) -> None:
    source = tmp_path / "late.py"
    source.write_text("def f():\n    from bot.kb.service import KnowledgeService\n", encoding="utf-8")
    assert imports("bot.core.late", source, {"bot.kb.service"}) == {"bot.kb.service"}


MAX_LINES = 400


def test_no_module_is_long_without_a_stated_reason() -> None:
    """A module over ~400 lines says why in its docstring ("Long because …")."""
    long = [
        name
        for name, path in modules().items()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
        and "Long because" not in (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "")
    ]
    assert long == []
