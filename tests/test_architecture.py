"""The shape of the house: imports go one way, nothing imports in a circle, knowledge holds only data.

Every ``import`` of every module counts, including those inside functions (a local import hides a
cycle from Python, not from this test).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "nakanaori"

# Each part may import only the parts listed for it (and itself). Lower layers first.
ALLOWED: dict[str, set[str]] = {
    "_callable": set(),
    "errors": set(),
    "labels": set(),
    "jsonsafe": set(),
    "knowledge": set(),
    "text": {"errors", "labels", "knowledge"},
    "check": {"errors", "labels", "knowledge", "text", "_callable"},
    "advise": {"errors", "labels", "knowledge", "text", "check", "_callable"},
    "compose": {"errors", "labels", "knowledge", "text", "check", "_callable"},
    "plan": {"errors", "labels", "knowledge", "text", "check", "advise", "_callable"},
    "store": {"errors", "labels"},
    "journal": {"errors", "labels", "knowledge", "text", "check", "advise", "plan", "store"},
    "kb": {"errors", "labels", "knowledge", "text", "check", "advise", "compose", "plan"},
    "cli": {"*"},
    "web": {"*"},
    "line": {"*"},
}
CAPABILITIES = {"check", "advise", "compose", "plan"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every nakanaori module *path* imports (absolute names), local imports included."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("nakanaori"):
                    yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("nakanaori"):
                continue
            for alias in node.names:  # ``from . import flex`` imports the module nakanaori.line.flex
                sub = f"{target}.{alias.name}"
                yield (
                    sub
                    if (SRC / Path(*sub.split("."))).with_suffix(".py").exists()
                    or (SRC / Path(*sub.split(".")) / "__init__.py").exists()
                    else target
                )


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PKG.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {t for t in _imports(path) if t in modules and t != name}
    return graph


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_no_import_cycles_between_modules() -> None:
    graph = _graph()
    # a package's __init__ imported by its own modules is no cycle of substance: leave those edges out
    edges = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    assert cycles == []


def test_imports_go_one_way() -> None:
    wrong = []
    for module, targets in _graph().items():
        part = _part(module)
        if part == "__init__":
            continue
        allowed = ALLOWED[part]
        for t in targets:
            tp = _part(t)
            if tp in (part, "__init__") or "*" in allowed:
                continue
            if tp not in allowed:
                wrong.append(f"{module} imports {t}")
    assert wrong == []


def test_knowledge_imports_no_capability_and_holds_one_loader() -> None:
    knowledge = [m for m in _graph() if _part(m) == "knowledge"]
    assert sorted(knowledge) == ["nakanaori.knowledge", "nakanaori.knowledge.loader"]
    for m in knowledge:
        assert not {_part(t) for t in _graph()[m]} & (CAPABILITIES | {"text", "store", "cli", "web", "line"})


def test_every_part_is_known() -> None:
    parts = {_part(m) for m in _graph()} - {"__init__"}
    assert parts <= set(ALLOWED), parts - set(ALLOWED)


@pytest.mark.parametrize("name", sorted(CAPABILITIES))
def test_the_api_names_are_the_capability_packages_and_call_their_function(name: str) -> None:
    import importlib

    import nakanaori

    pkg = importlib.import_module(f"nakanaori.{name}")
    assert getattr(nakanaori, name) is pkg
    assert callable(pkg)


def test_the_import_reader_sees_relative_and_local_imports(tmp_path: Path) -> None:
    """The graph the tests read holds a cycle that only a local import makes."""
    (tmp_path / "nakanaori").mkdir()
    a = tmp_path / "nakanaori" / "a.py"
    a.write_text("from . import b\n", encoding="utf-8")
    b = tmp_path / "nakanaori" / "b.py"
    b.write_text("def f():\n    from .a import x\n", encoding="utf-8")
    global SRC
    old = SRC
    SRC = tmp_path
    try:
        assert set(_imports(a)) == {"nakanaori.b"} and set(_imports(b)) == {"nakanaori.a"}
    finally:
        SRC = old


def test_tests_mirror_the_packages() -> None:
    """Each package of src/nakanaori has its tests in the folder of the same name."""
    tests = Path(__file__).resolve().parent
    packages = sorted(p.parent.name for p in PKG.glob("*/__init__.py"))
    missing = [name for name in packages if not list((tests / name).glob("test_*.py"))]
    assert missing == []
