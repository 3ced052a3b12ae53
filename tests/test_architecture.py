"""The dependency rules of the architecture hold: read every module's imports (ast, no import)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


RULES = [
    # (package or module, top-level names it must never import)
    ("solver", {"app", "geodata", "fastapi", "uvicorn", "osmnx", "starlette"}),
    ("geodata", {"solver", "app", "fastapi", "ortools", "pyvrp"}),
    ("solver/core/domain.py", {"ortools", "pyvrp", "highspy", "pandas", "numpy", "app", "geodata"}),
    ("solver/evaluation/plan_check.py", {"ortools", "pyvrp"}),
    ("solver/evaluation/routing_check.py", {"ortools", "pyvrp"}),
    ("solver/evaluation/pooling_check.py", {"ortools", "pyvrp"}),
]


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[r[0] for r in RULES])
def test_dependency_rule(where: str, forbidden: set[str]) -> None:
    """Pure domain, leaf geodata, solvers without web, checkers without engines."""
    target = ROOT / where
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files, where
    bad = {
        f"{f.relative_to(ROOT)} imports {name}" for f in files for name in _imports(f) & forbidden
    }
    assert not bad, sorted(bad)
