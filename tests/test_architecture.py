"""The dependency rules of the architecture hold: read every module's imports (ast, no import).

The packages and what may import what (ARCHITECTURE.md):

* ``solver.core`` imports nothing of ours; ``solver.scenario`` and ``solver.prepare`` only core;
* ``solver.evaluation`` (the independent checkers) never imports a model, OR-Tools or PyVRP;
* ``solver.sourcing`` and ``solver.rounds`` never import each other;
* OR-Tools only in sourcing's model and bound modules, PyVRP only in rounds' engine module;
* only ``app`` imports ``solver.reporting``; ``app`` imports the faces (``solver.x``), not modules;
* ``geodata`` imports nothing of ``solver`` or ``app``; ``solver`` nothing of ``app``, ``geodata``;
* no ``from x import _private`` across modules, and no import cycle between our modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = ("app", "solver", "geodata")
CODE_DIRS = ("app", "solver", "geodata", "tests", "benchmarks", "scenarios")


def _py_files(*where: str) -> list[Path]:
    files: list[Path] = []
    for w in where:
        target = ROOT / w
        files += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return files


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _typing_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under ``if TYPE_CHECKING:`` (never executed at run time)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return ids


def _imported(path: Path, *, runtime_only: bool = False) -> list[tuple[str, list[str]]]:
    """Every (module, names) imported by the file, at any depth, relative imports resolved.

    With ``runtime_only``, imports under ``if TYPE_CHECKING:`` are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    skip = _typing_only(tree) if runtime_only else set()
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            out.append((module, [alias.name for alias in node.names]))
    return out


def _top(module: str) -> str:
    return module.split(".")[0]


def _sub(module: str) -> str:
    """``solver.sourcing.model`` -> ``solver.sourcing``."""
    return ".".join(module.split(".")[:2])


# (files, what they must never import: module prefixes)
RULES = [
    ("solver", ("app", "geodata", "fastapi", "uvicorn", "starlette", "osmnx")),
    ("geodata", ("solver", "app", "fastapi", "ortools", "pyvrp")),
    (
        "solver/core",
        (
            "solver.scenario",
            "solver.prepare",
            "solver.sourcing",
            "solver.rounds",
            "solver.pooling",
            "solver.evaluation",
            "solver.reporting",
            "ortools",
            "pyvrp",
            "highspy",
            "pandas",
            "numpy",
        ),
    ),
    *(
        (
            pkg,
            (
                "solver.sourcing",
                "solver.rounds",
                "solver.pooling",
                "solver.evaluation",
                "solver.reporting",
                "solver.scenario" if pkg == "solver/prepare" else "solver.prepare",
                "ortools",
                "pyvrp",
            ),
        )
        for pkg in ("solver/scenario", "solver/prepare")
    ),
    (
        "solver/evaluation",
        (
            "solver.sourcing",
            "solver.rounds",
            "solver.pooling",
            "solver.reporting",
            "ortools",
            "pyvrp",
        ),
    ),
    ("solver/sourcing", ("solver.rounds", "solver.pooling", "solver.reporting", "pyvrp")),
    ("solver/rounds", ("solver.sourcing", "solver.pooling", "solver.reporting", "ortools")),
    ("solver/pooling", ("solver.sourcing", "solver.reporting", "ortools")),
    ("geodata", ("solver.reporting",)),
]


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_dependency_rule(where: str, forbidden: tuple[str, ...]) -> None:
    """Each package imports only what the architecture allows it."""
    files = _py_files(where)
    assert files, where
    bad = sorted(
        f"{f.relative_to(ROOT)} imports {module}"
        for f in files
        for module, _ in _imported(f)
        if any(module == p or module.startswith(p + ".") for p in forbidden)
    )
    assert not bad, bad


@pytest.mark.parametrize(
    ("engine", "allowed"), [("ortools", "solver/sourcing"), ("pyvrp", "solver/rounds")]
)
def test_engines_stay_in_their_modules(engine: str, allowed: str) -> None:
    """OR-Tools only in sourcing's model/bound modules, PyVRP only in rounds' engine module."""
    users = sorted(
        str(f.relative_to(ROOT))
        for f in _py_files("app", "solver", "geodata")
        if any(_top(m) == engine for m, _ in _imported(f))
    )
    assert users, engine
    outside = [u for u in users if not u.startswith(allowed + "/")]
    assert not outside, outside
    if engine == "ortools":
        assert all(Path(u).stem in {"model", "bound"} for u in users), users
    else:
        assert all(Path(u).stem == "engine" for u in users), users


def test_only_app_imports_reporting() -> None:
    """Reports and exports are the application's business: the solver never imports them."""
    bad = sorted(
        str(f.relative_to(ROOT))
        for f in _py_files("solver", "geodata")
        if "solver/reporting" not in str(f)
        for m, _ in _imported(f)
        if m.startswith("solver.reporting")
    )
    assert not bad, bad


def test_app_imports_only_faces() -> None:
    """``app`` imports ``solver.sourcing`` (a face), never ``solver.sourcing.model``."""
    bad = sorted(
        f"{f.relative_to(ROOT)}: {m}"
        for f in _py_files("app")
        for m, _ in _imported(f)
        if _top(m) == "solver" and m.count(".") > 1
    )
    assert not bad, bad


def test_no_private_import_across_modules() -> None:
    """No ``from x import _name`` where ``x`` is another module of ours (tests included)."""
    bad = sorted(
        f"{f.relative_to(ROOT)}: from {m} import {name}"
        for f in _py_files(*CODE_DIRS)
        for m, names in _imported(f)
        if _top(m) in OURS
        for name in names
        if name.startswith("_") and not name.startswith("__")
    )
    assert not bad, bad


def test_no_import_cycle() -> None:
    """The run-time import graph between our modules (lazy imports included) has no cycle."""
    graph: dict[str, set[str]] = {}
    files = _py_files("app", "solver", "geodata")
    known = {_module_name(f) for f in files}
    for f in files:
        here = _module_name(f)
        deps: set[str] = set()
        for m, names in _imported(f, runtime_only=True):
            if _top(m) not in OURS:
                continue
            for target in [f"{m}.{n}" for n in names] + [m]:
                if target in known:
                    deps.add(target)
                    break
        graph[here] = deps - {here}
    # a package's face importing its own modules is not a cycle with them
    for name in graph:
        graph[name] = {d for d in graph[name] if not name.startswith(d + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            pytest.fail(" -> ".join(cycle))


def test_solver_modules_stay_small() -> None:
    """No module of ``solver/`` over 800 lines: a concern that grows past it is split."""
    big = sorted(
        f"{f.relative_to(ROOT)}: {n}"
        for f in _py_files("solver")
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > 800
    )
    assert not big, big
