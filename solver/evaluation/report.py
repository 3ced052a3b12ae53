"""The one verdict type of the three checkers (plan, rounds, pooling).

A :class:`Violation` is one broken rule: its ``rule`` code (``demand_not_met``, ``CAPACITY``,
...), a ``message`` with the numbers behind it, where it happened (the subject fields a
checker knows: kitchen, supplier, product, week for a plan; route and order for rounds) and
its figures: ``value`` found against ``limit`` for a plan's rule, named ``numbers`` for the
rounds and pooling rules (``{"load_kg": 140.0, "capacity_kg": 130.0}``).

A :class:`Report` is a checker's verdict: ``ok`` is True exactly when there is no violation.
:class:`solver.evaluation.plan_check.PlanCheck` extends it with the plan's indicators.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np


def json_num(v: Any) -> Any:
    """A JSON-safe number: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


@dataclass(frozen=True)
class Violation:
    """One broken rule, located, with the numbers behind it.

    ``code`` and ``detail`` repeat ``rule`` and ``message`` under the names the rounds and
    pooling verdicts are read and serialised with (their JSON keys ``code``, ``detail``).
    """

    rule: str
    kitchen_id: str = ""
    supplier_id: str = ""
    product_id: str = ""
    week_start: dt.date | None = None
    message: str = ""
    value: float | None = None
    limit: float | None = None
    route: str = ""
    order: str = ""
    numbers: Mapping[str, float] = field(default_factory=dict, hash=False)
    code: str = field(init=False)
    detail: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", self.rule)
        object.__setattr__(self, "detail", self.message)

    def to_dict(self) -> dict[str, object]:
        """Every field as plain JSON (date as ISO string, NaN as None)."""
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, dt.date):
                out[f.name] = v.isoformat()
            elif isinstance(v, Mapping):
                out[f.name] = {str(k): json_num(x) for k, x in v.items()}
            else:
                out[f.name] = json_num(v)
        return out


@dataclass(frozen=True)
class Report:
    """A checker's verdict: ``ok`` when ``violations`` is empty."""

    ok: bool
    violations: tuple[Violation, ...] = ()

    def codes(self) -> set[str]:
        """The distinct rules violated."""
        return {v.rule for v in self.violations}

    def by_rule(self) -> dict[str, int]:
        """Number of violations per rule, sorted by rule."""
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """``{"ok", "violations", "n_violations", "violations_by_rule"}`` as plain JSON."""
        return {
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
            "n_violations": len(self.violations),
            "violations_by_rule": self.by_rule(),
        }


def report_of(violations: list[Violation]) -> Report:
    """The verdict of a list of violations."""
    return Report(ok=not violations, violations=tuple(violations))
