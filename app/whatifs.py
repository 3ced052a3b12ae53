"""Territory what-ifs and yearly contracts, on top of the territory plan.

* :func:`compare_scenarios`: each scenario is planned as ``racines plan`` does
  (:func:`app.services.plan_territory`), then its figures are laid side by side by
  :func:`solver.reporting.compare_tables`.
* :func:`plan_contracts`: a plan (the school year's) turned into proposed contracts with
  a backup for every line (:func:`solver.reporting.propose_contracts`), checked by
  :func:`solver.evaluation.check_contracts`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from app import services
from app.provenance import provenance_text, stamp_files
from solver.core import Scenario, SolveParams
from solver.evaluation import Report, check_contracts, producers_table
from solver.reporting import (
    Contracts,
    ScenarioFigures,
    compare_tables,
    propose_contracts,
    write_comparison,
    write_contracts,
)

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

    @property
    def provenance(self) -> str:
        """Synthetic data (any scenario's)? Estimated drive times (any plan's)?"""
        terr = [o.territory for o in self.outcomes]
        return provenance_text(
            synthetic=any(t.scenario.settings.synthetic for t in terr),
            estimated=any(t.matrix.estimated for t in terr),
            travel_source=terr[0].matrix.source,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the scenarios, each table's rows, the verdicts, the provenance."""
        terr = [o.territory for o in self.outcomes]
        return {
            "synthetic_scenario": any(t.scenario.settings.synthetic for t in terr),
            "travel_estimated": any(t.matrix.estimated for t in terr),
            "travel_source": terr[0].matrix.source,
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
        """The comparison's CSV files (with their provenance column) and workbook."""
        written = write_comparison(self.tables, folder)
        stamp_files(written.values(), self.provenance)
        return written


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


# --------------------------------------------------------------------------- contracts


@dataclass
class ContractsOutcome:
    """Contracts proposed from a plan, the plan, and the independent checks of both."""

    plan: services.PlanOutcome
    contracts: Contracts
    check: Report

    @property
    def ok(self) -> bool:
        """The plan and the contracts passed every checker."""
        return self.plan.ok and self.check.ok

    def to_dict(self, *, lines: bool = True) -> dict[str, Any]:
        """JSON-ready: summary, lines (optional), the contract check, the plan's verdict."""
        t = self.plan.territory
        out: dict[str, Any] = {
            "ok": self.ok,
            "weeks": [w.isoformat() for w in t.weeks],
            "synthetic_scenario": t.scenario.settings.synthetic,
            "travel_source": t.matrix.source,
            "travel_estimated": t.matrix.estimated,
            "plan_status": self.plan.sourcing.status,
            "plan_ok": self.plan.ok,
            "objective_eur": services.json_ready(self.plan.sourcing.objective_eur),
            "summary": {k: services.json_ready(v) for k, v in self.contracts.summary().items()},
            "check": self.check.to_dict(),
        }
        if lines:
            out["contracts"] = _records(self.contracts.lines)
        return out

    def write(self, folder: str | Path) -> dict[str, Path]:
        """The contracts' files and their check in ``folder``."""
        out = Path(folder)
        synthetic = self.plan.territory.scenario.settings.synthetic
        written = write_contracts(self.contracts, out, synthetic=synthetic)
        stamp_files(written.values(), self.plan.provenance)
        summary = self.to_dict(lines=False)
        (out / "contracts_summary.json").write_text(json.dumps(summary, indent=1, default=str))
        written["contracts_summary.json"] = out / "contracts_summary.json"
        return written


def school_year_horizon(scenario: Scenario) -> int:
    """Weeks from the scenario's start date to the last school week of its canteens' zones
    (the horizon of ``racines plan --year``)."""
    from app.commands.plan import school_year_n_weeks

    zones = {c.school_zone.value for c in scenario.canteens}
    return school_year_n_weeks(scenario.settings.start_date, zones)


def plan_contracts(
    scenario: Scenario,
    *,
    params: SolveParams,
    weeks: int | None = None,
    start: dt.date | None = None,
    base_dir: str | Path = ".",
    with_rounds: bool = True,
    rounds_time_limit_s: float = services.ROUNDS_TIME_LIMIT_S_PER_WEEK,
    progress: Progress | None = None,
) -> ContractsOutcome:
    """Plan ``weeks`` weeks (the caller passes the school year's) and propose contracts
    for the plan's local purchases, each line with a backup; both checked."""
    report = progress or _noop
    outcome = services.plan_territory(
        scenario,
        params=params,
        weeks=weeks,
        start=start,
        progress=lambda f, m, *_: report(0.9 * f, m),
        base_dir=base_dir,
        with_rounds=with_rounds,
        rounds_time_limit_s=rounds_time_limit_s,
    )
    report(0.92, "contracts and their backups")
    contracts = propose_contracts(scenario, outcome.plan, outcome.territory.eligibility)
    check = check_contracts(scenario, outcome.plan, outcome.territory.eligibility, contracts.lines)
    report(1.0, "done")
    return ContractsOutcome(outcome, contracts, check)


# --------------------------------------------------------------------------- the API's calls


def compare(
    scenarios: Sequence[tuple[str, Scenario]],
    *,
    weeks: int | None = None,
    params: SolveParams,
    with_rounds: bool = True,
    progress: Progress | None = None,
) -> Comparison:
    """:func:`compare_scenarios` of already loaded scenarios with one ``params`` (the HTTP
    service's comparisons; travel files relative to the working folder)."""
    return compare_scenarios(
        [(name, sc, Path(".")) for name, sc in scenarios],
        weeks=weeks,
        time_limit_s=params.time_limit_s,
        seed=params.seed,
        with_rounds=with_rounds,
        progress=progress,
    )


def contracts(
    scenario: Scenario,
    *,
    weeks: int | None = None,
    params: SolveParams,
    with_rounds: bool = True,
    progress: Progress | None = None,
) -> ContractsOutcome:
    """:func:`plan_contracts` over ``weeks``, the school year by default."""
    return plan_contracts(
        scenario,
        params=params,
        weeks=weeks or school_year_horizon(scenario),
        with_rounds=with_rounds,
        progress=progress,
    )
