"""The package's module-level import graph: its cycles, and names that hide a submodule.

    python scripts/import_graph.py            # edges, cycles, hidden submodules
    python scripts/import_graph.py --edges    # also every arrow, one per line

Read from the source with ``ast`` (nothing is imported), so it sees what runs at import time:
imports inside functions (lazy on purpose) and under ``if TYPE_CHECKING:`` are not arrows.
An arrow ``a -> b`` means module ``a`` imports module ``b`` (a package means its ``__init__``);
``from .pkg import name`` is an arrow to ``pkg`` and, when ``name`` is a submodule, to it too.

Two graphs: the imports that run at import time, and all imports (those deferred into
functions too: a cycle broken only by deferring an import is still two modules that need each
other). A *cycle* is a strongly connected component of more than one module (or a module importing
itself). A *hidden submodule* is a package attribute that has the name of one of its
submodules but is something else (``scalinglab.fit`` the function hiding ``scalinglab.fit``
the package): found by importing the package, so run it where the package is installed.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

PACKAGE = "scalinglab"
ROOT = Path(__file__).resolve().parents[1] / "src" / PACKAGE


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (packages as their ``__init__``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _top_level_imports(tree: ast.Module, deferred: bool = False):
    """Import statements that run when the module is imported (not in functions or classes'
    methods, not under ``if TYPE_CHECKING``); with ``deferred``, those in functions too."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
        elif deferred or isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While, ast.ClassDef)):
            stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)
                         or isinstance(child, ast.excepthandler))


def edges(found: dict[str, Path] | None = None, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the package's modules it imports at import time (with ``deferred``: or at any
    time, imports inside functions included: a cycle broken only by deferring an import is
    still two modules that need each other)."""
    found = modules() if found is None else found
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"), str(path)), deferred):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                submodules = [f"{stem}.{alias.name}" for alias in node.names]
                # ``from pkg import sub`` reads pkg's __init__ only for names that are not submodules
                targets = submodules + ([stem] if any(m not in found for m in submodules) else [])
            for target in targets:
                # ``import a.b.c`` runs a, a.b and a.b.c; the packages above the importing module
                # itself already ran before it, so they are arrows only when named outright
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:i])
                    above = name.startswith(prefix + ".")
                    if prefix in found and prefix != name and (not above or prefix == target):
                        graph[name].add(prefix)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:   # the package has ~150 modules: recursion depth is no concern
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def hidden_submodules(found: dict[str, Path] | None = None) -> list[str]:
    """Submodules whose name their package binds to something else (``scalinglab.fit`` the
    function hiding ``scalinglab.fit`` the package), whichever way the package binds it: its
    ``__init__``'s code (``from .worth import worth``, ``def x``, ``x = ...``), its module-level
    ``__getattr__`` (PEP 562 lazy names) or what the attribute is once everything is imported."""
    found = modules() if found is None else found
    hidden = []
    for name in sorted(found):
        parent_name, _, child = name.rpartition(".")
        if parent_name not in found:
            continue
        module = importlib.import_module(name)
        parent = sys.modules[parent_name]
        lazy = parent.__dict__.get("__getattr__")
        value = getattr(parent, child, None)
        if _bound_by_parent(parent_name, child, found):
            hidden.append(f"{name}: {parent_name}/__init__.py binds the name {child!r} to another object")
        elif value is not module:
            hidden.append(f"{name}: {parent_name}.{child} is {value!r}")
        elif callable(lazy):
            try:
                lazy_value = lazy(child)
            except AttributeError:
                continue
            if lazy_value is not module:
                hidden.append(f"{name}: {parent_name}.__getattr__ gives {lazy_value!r} for {child!r}")
    return hidden


def _bound_by_parent(parent_name: str, child: str, found: dict[str, Path]) -> bool:
    """Whether the parent package's ``__init__`` binds ``child`` to something other than the
    submodule of that name (``from .x import child``, ``def child``, ``child = ...``)."""
    tree = ast.parse(found[parent_name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) != child:
                    continue
                source = f"{parent_name}.{node.module}" if node.level == 1 and node.module else None
                if node.level == 1 and node.module is None and alias.name == child:
                    continue                              # from . import child: the submodule itself
                if source is None or f"{source}.{alias.name}" not in found:
                    return True
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == child:
            return True
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == child for t in node.targets):
            return True
    return False


def report() -> tuple[list[str], int]:
    """The lines :func:`main` prints and the number of problems (cycles, hidden submodules)."""
    lines, problems = [], 0
    for deferred in (False, True):
        graph = edges(deferred=deferred)
        found = cycles(graph)
        problems += len(found)
        what = "imports anywhere (deferred ones in functions too)" if deferred else "imports at import time"
        lines.append(f"{what}: {len(graph)} modules, {sum(len(v) for v in graph.values())} arrows, "
                     f"{len(found)} cycle(s)")
        lines += ["  cycle: " + " <-> ".join(c) for c in found]
    hidden = hidden_submodules()
    problems += len(hidden)
    lines.append(f"{len(hidden)} submodule(s) hidden by another object of the same name")
    lines += ["  hidden: " + h for h in hidden]
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="print every arrow (imports anywhere)")
    args = parser.parse_args(argv)
    if args.edges:
        graph = edges(deferred=True)
        for a in sorted(graph):
            for b in sorted(graph[a]):
                print(f"{a} -> {b}")
    lines, problems = report()
    print("\n".join(lines))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
