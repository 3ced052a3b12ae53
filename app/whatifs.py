"""Territory what-ifs: plan several scenarios (folders or variants) and compare them.

Each scenario is planned as ``racines plan`` does (:func:`app.services.plan_territory`),
then its figures are laid side by side by :func:`solver.reporting.compare_tables`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from app import services
from solver.core import Scenario, SolveParams
from solver.evaluation import producers_table
from solver.reporting import ScenarioFigures, compare_tables, write_comparison

Progress = Callable[..., None]


def _noop(*_args: Any) -> None:
    return None


@dataclass
class Comparison:
    """The plans of several scenarios and the tables comparing them (first = reference)."""

    names: list[str]
    outcomes: list[services.PlanOutcome]
    tables: dict[str, pd.DataFrame]

    @property
    def ok(self) -> bool:
        """Every plan passed every checker."""
        return all(o.ok for o in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the scenarios, each table's rows, the verdicts."""
        return {
            "scenarios": [
                {
                    "name": name,
                    "status": o.sourcing.status,
                    "ok": o.ok,
                    "synthetic_scenario": o.territory.scenario.settings.synthetic,
                    "weeks": [w.isoformat() for w in o.territory.weeks],
                    "travel_source": o.territory.matrix.source,
                }
                for name, o in zip(self.names, self.outcomes, strict=True)
            ],
            "ok": self.ok,
            **{name: _records(df) for name, df in self.tables.items()},
        }

    def write(self, folder: str | Path) -> dict[str, Path]:
        """The comparison's CSV files and workbook in ``folder``."""
        return write_comparison(self.tables, folder)


def figures_of(outcome: services.PlanOutcome, name: str) -> ScenarioFigures:
    """What a plan gives to a comparison."""
    s = outcome.sourcing
    return ScenarioFigures(
        name=name,
        indicators=outcome.indicators,
        platforms=outcome.platforms(),
        producers=producers_table(outcome.territory.scenario, outcome.plan),
        totals={
            "objective_eur": s.objective_eur,
            "food_cost_eur": s.food_cost_eur,
            "logistics_cost_eur": s.logistics_cost_eur,
            "ok": outcome.ok,
            "status": s.status,
            "gap_pct": 100.0 * s.gap,
        },
    )


def compare_scenarios(
    scenarios: Sequence[tuple[str, Scenario, Path]],
    *,
    weeks: int | None = None,
    start: dt.date | None = None,
    time_limit_s: float | None = None,
    seed: int | None = None,
    with_rounds: bool = True,
    rounds_time_limit_s: float = services.ROUNDS_TIME_LIMIT_S_PER_WEEK,
    progress: Progress | None = None,
) -> Comparison:
    """Plan each ``(name, scenario, base_dir)`` over the same weeks and compare the plans.

    Each scenario keeps its own settings (time limit, seed) unless ``time_limit_s`` or
    ``seed`` is given; ``weeks`` and ``start`` default to the first scenario's settings,
    so that every plan covers the same weeks.
    """
    report = progress or _noop
    first = scenarios[0][1].settings
    weeks = weeks or first.horizon_weeks
    start = start or first.start_date
    outcomes = []
    n = len(scenarios)
    for j, (name, sc, base) in enumerate(scenarios):
        params = SolveParams(
            time_limit_s=time_limit_s or sc.settings.time_limit_s,
            seed=sc.settings.seed if seed is None else seed,
        )
        lo = j / n

        def step(f: float, m: str, *_: Any, lo: float = lo, name: str = name) -> None:
            report(lo + f / n, f"{name}: {m}")

        outcomes.append(
            services.plan_territory(
                sc,
                params=params,
                weeks=weeks,
                start=start,
                progress=step,
                base_dir=base,
                with_rounds=with_rounds,
                rounds_time_limit_s=rounds_time_limit_s,
            )
        )
    names = [name for name, _, _ in scenarios]
    figures = [figures_of(o, name) for o, name in zip(outcomes, names, strict=True)]
    tables = compare_tables(figures)
    unique = [str(c) for c in tables["summary"].columns[1 : n + 1]]
    return Comparison(names=unique, outcomes=outcomes, tables=tables)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {str(k): services.json_ready(v) for k, v in row.items()} for row in df.to_dict("records")
    ]
