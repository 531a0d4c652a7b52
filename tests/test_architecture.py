"""The shape of the package: no module imports one that imports it back.

The import graph is read from the source with :mod:`ast`, so it counts every
``import`` statement wherever it stands: at the top, inside a function (lazy
imports) and under ``if TYPE_CHECKING:``. A package's implicit import of its
``__init__`` is not an edge; only statements written in the files are.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "runaudit"
ROOT = Path(__file__).resolve().parent.parent / "src" / PACKAGE


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module → the package modules it imports (top-level, lazy and TYPE_CHECKING alike)."""
    files = module_files(root)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in files else base)
            for target in targets:
                # ``import runaudit.a.b`` names runaudit.a.b; keep the longest known prefix
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target.startswith(PACKAGE) and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_module_imports_one_that_imports_it_back():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_graph_sees_lazy_and_type_checking_imports(tmp_path):
    pkg = tmp_path / PACKAGE
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n"
    )
    (pkg / "b.py").write_text("def f():\n    from .sub import c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("from .. import a\nimport runaudit.b\n")
    graph = import_graph(pkg)
    assert graph["runaudit.a"] == {"runaudit.b"}
    assert graph["runaudit.b"] == {"runaudit.sub.c"}
    assert graph["runaudit.sub.c"] == {"runaudit.a", "runaudit.b"}
    assert find_cycle(graph) == ["runaudit.a", "runaudit.b", "runaudit.sub.c", "runaudit.a"]
    (pkg / "b.py").write_text("")
    assert find_cycle(import_graph(pkg)) is None


def test_the_ledger_types_stay_exported():
    import runaudit
    from runaudit.intake.pipeline import Ingest, LedgerEntry

    assert runaudit.Ingest is Ingest
    assert runaudit.LedgerEntry is LedgerEntry


#: The layers, lowest first. A module may import the base modules, its own layer and
#: the layers before it; never a later one. ``runaudit_demo`` is not imported at all.
BASE = {"runaudit.errors", "runaudit.thresholds", "runaudit.units", "runaudit.words"}
LAYERS: tuple[tuple[str, ...], ...] = (
    ("runaudit.reading",),
    ("runaudit.intake",),
    ("runaudit.training",),
    ("runaudit.rules",),
    ("runaudit.advice",),
    ("runaudit.audit", "runaudit.cohort"),
    ("runaudit.report",),
    ("runaudit.cli", "runaudit.__main__", "runaudit"),
)


def layer_of(module: str) -> int | None:
    """Index of the layer that holds ``module`` (None for the base modules)."""
    if module in BASE:
        return None
    best: tuple[int, int] | None = None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS or BASE"
    return best[0]


def package_of(module: str) -> str:
    """The subpackage a module belongs to (``runaudit.reading.sources`` for its modules)."""
    files = module_files()
    path = files[module]
    if path.name == "__init__.py":
        return module
    return module.rpartition(".")[0]


def test_every_import_goes_down_the_layers():
    wrong = []
    for module, targets in import_graph().items():
        here = layer_of(module)
        for target in targets:
            there = layer_of(target)
            if there is None:
                continue
            if here is None or there > here:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports up the layers: " + ", ".join(sorted(wrong))


def test_no_package_imports_one_that_imports_it_back():
    graph: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        here = package_of(module)
        graph.setdefault(here, set())
        for target in targets:
            there = package_of(target)
            # a package's own modules and its parent's __init__ are one place
            if there != here and not here.startswith(there + ".") and there != PACKAGE:
                graph[here].add(there)
            graph.setdefault(there, set())
    cycle = find_cycle(graph)
    assert cycle is None, "package cycle: " + " -> ".join(cycle or [])


def test_the_base_modules_import_only_each_other():
    graph = import_graph()
    for module in BASE:
        assert graph[module] <= BASE, f"{module} imports {graph[module] - BASE}"


def test_the_library_never_imports_the_demo_writers():
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "runaudit_demo" not in text.replace("``runaudit_demo``", ""), path


def test_the_package_root_holds_at_most_a_dozen_modules():
    modules = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(modules) <= 12, modules
