"""Territory what-ifs side by side: the figures of several plans and their differences.

Each scenario's plan is summed up in a :class:`ScenarioFigures` (its indicators table,
its platforms' figures, its producers, a few totals); :func:`compare_tables` lays them
side by side, the first scenario being the reference of every difference (``Δ`` columns:
scenario minus the first):

* ``summary``: one row per figure (costs, shares, producers engaged, kg through the
  platforms, km driven, checker verdict), one column per scenario, then the differences;
* ``kitchens``: one row per purchasing kitchen, its local, EGALIM and organic shares and
  cost per meal in each scenario, then the differences (a kitchen absent from a scenario
  has empty cells there);
* ``platforms``: one row per scenario and platform (kg carried, kitchens, producers, km,
  rounds' cost, CO2);
* ``producers``: one row per producer engaged in any scenario, its revenue in each.

:func:`write_comparison` writes them as CSV files and one workbook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from solver.evaluation import TERRITORY
from solver.reporting.exports import write_xlsx

__all__ = [
    "KITCHEN_FIGURES",
    "SUMMARY_FIGURES",
    "ScenarioFigures",
    "compare_tables",
    "write_comparison",
]

#: Rows of the summary: (figure, where it comes from, column), in order. ``territory`` is
#: the indicators table's territory row, ``totals`` the plan's totals, ``platforms`` the
#: sum over the platforms table.
SUMMARY_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("objective_eur", "totals", "objective_eur"),
    ("food_cost_eur", "totals", "food_cost_eur"),
    ("logistics_cost_eur", "totals", "logistics_cost_eur"),
    ("meals", "territory", "meals"),
    ("cost_per_meal_eur", "territory", "cost_per_meal_eur"),
    ("egalim_pct", "territory", "egalim_pct"),
    ("bio_pct", "territory", "bio_pct"),
    ("meat_fish_egalim_pct", "territory", "meat_fish_egalim_pct"),
    ("local_pct", "territory", "local_pct"),
    ("local_kg", "territory", "local_kg"),
    ("producers_engaged", "territory", "producers_engaged"),
    ("producers_revenue_eur", "territory", "producers_revenue_eur"),
    ("platform_kg", "platforms", "kg"),
    ("platform_value_eur", "platforms", "value_eur"),
    ("platform_kitchens", "platforms", "kitchens"),
    ("platform_producers", "platforms", "producers"),
    ("rounds_km", "platforms", "distance_km"),
    ("rounds_hours", "platforms", "hours"),
    ("rounds_cost_eur", "platforms", "rounds_cost_eur"),
    ("rounds_co2_kg", "platforms", "co2_kg"),
    ("platform_orders_served", "platforms", "orders_served"),
    ("platform_orders_explained", "platforms", "orders_explained"),
    ("checker_ok", "totals", "ok"),
    ("status", "totals", "status"),
    ("gap_pct", "totals", "gap_pct"),
)

#: Per-kitchen figures of the ``kitchens`` table (indicators table columns).
KITCHEN_FIGURES = ("local_pct", "egalim_pct", "bio_pct", "cost_per_meal_eur")


@dataclass(frozen=True)
class ScenarioFigures:
    """What one scenario's plan gives to compare.

    ``indicators`` is :func:`solver.evaluation.indicators_table` (kitchens and the
    territory row), ``platforms`` one row per platform (``platform_id``, ``kg``,
    ``value_eur``, ``kitchens``, ``producers``, ``distance_km``, ``hours``,
    ``rounds_cost_eur``, ``co2_kg``, ``orders_served``, ``orders_explained``),
    ``producers`` :func:`solver.evaluation.producers_table`, ``totals`` the plan's
    ``objective_eur``, ``food_cost_eur``, ``logistics_cost_eur``, ``ok``, ``status`` and
    ``gap_pct``.
    """

    name: str
    indicators: pd.DataFrame
    platforms: pd.DataFrame
    producers: pd.DataFrame
    totals: Mapping[str, object] = field(default_factory=dict)


def _figure(fig: ScenarioFigures, source: str, column: str) -> object:
    if source == "totals":
        return fig.totals.get(column)
    if source == "platforms":
        if fig.platforms.empty or column not in fig.platforms:
            return 0.0
        return float(fig.platforms[column].sum())
    row = fig.indicators[fig.indicators["kitchen_id"] == TERRITORY]
    if row.empty or column not in row:
        return None
    return _plain(row.iloc[0][column])


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (NaN kept as None)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _delta(a: object, b: object) -> object:
    """``b - a`` for numbers; None otherwise (text, verdicts, a missing value)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return b - a
    return None


def unique_names(names: Sequence[str]) -> list[str]:
    """The names, a repeated one suffixed ``#2``, ``#3``."""
    out: list[str] = []
    for n in names:
        name, k = n, 2
        while name in out:
            name, k = f"{n}#{k}", k + 1
        out.append(name)
    return out


def compare_tables(figures: Sequence[ScenarioFigures]) -> dict[str, pd.DataFrame]:
    """The ``summary``, ``kitchens``, ``platforms`` and ``producers`` tables (module doc).

    Raises
    ------
    ValueError
        When fewer than two scenarios are given.
    """
    if len(figures) < 2:
        msg = f"compare needs at least two scenarios, got {len(figures)}"
        raise ValueError(msg)
    names = unique_names([f.name for f in figures])
    return {
        "summary": _summary(figures, names),
        "kitchens": _kitchens(figures, names),
        "platforms": _platforms(figures, names),
        "producers": _producers(figures, names),
    }


def _summary(figures: Sequence[ScenarioFigures], names: list[str]) -> pd.DataFrame:
    rows = []
    for figure, source, column in SUMMARY_FIGURES:
        values = [_figure(f, source, column) for f in figures]
        row: dict[str, object] = {"figure": figure}
        row.update(dict(zip(names, values, strict=True)))
        for name, v in zip(names[1:], values[1:], strict=True):
            row[f"Δ {name}"] = _delta(values[0], v)
        rows.append(row)
    return pd.DataFrame(rows)


def _kitchens(figures: Sequence[ScenarioFigures], names: list[str]) -> pd.DataFrame:
    frames = {}
    labels: dict[str, str] = {}
    for f, name in zip(figures, names, strict=True):
        ind = f.indicators[f.indicators["kitchen_id"] != TERRITORY].set_index("kitchen_id")
        frames[name] = ind
        if "kitchen_name" in ind:
            labels.update({str(k): str(v) for k, v in ind["kitchen_name"].items()})
    kitchens = sorted({str(k) for ind in frames.values() for k in ind.index})
    rows = []
    for kid in kitchens:
        row: dict[str, object] = {"kitchen_id": kid, "kitchen_name": labels.get(kid, kid)}
        for col in KITCHEN_FIGURES:
            values = [
                _plain(frames[n].loc[kid, col]) if kid in frames[n].index else None for n in names
            ]
            for name, v in zip(names, values, strict=True):
                row[f"{col} [{name}]"] = v
            for name, v in zip(names[1:], values[1:], strict=True):
                row[f"{col} Δ [{name}]"] = _delta(values[0], v)
        rows.append(row)
    return pd.DataFrame(rows)


def _platforms(figures: Sequence[ScenarioFigures], names: list[str]) -> pd.DataFrame:
    parts = [
        f.platforms.assign(scenario=name)
        for f, name in zip(figures, names, strict=True)
        if not f.platforms.empty
    ]
    if not parts:
        return pd.DataFrame(columns=["scenario", "platform_id"])
    df = pd.concat(parts, ignore_index=True)
    return df[["scenario", *[c for c in df.columns if c != "scenario"]]]


def _producers(figures: Sequence[ScenarioFigures], names: list[str]) -> pd.DataFrame:
    revenue: dict[str, dict[str, float]] = {}
    label: dict[str, str] = {}
    for f, name in zip(figures, names, strict=True):
        for r in f.producers.to_dict("records"):
            pid = str(r["producer_id"])
            revenue.setdefault(pid, {})[name] = float(r["revenue_eur"])
            label[pid] = str(r.get("producer_name", pid))
    rows = []
    for pid in sorted(revenue):
        row: dict[str, object] = {"producer_id": pid, "producer_name": label[pid]}
        for name in names:
            row[f"revenue_eur [{name}]"] = revenue[pid].get(name, 0.0)
        first = revenue[pid].get(names[0], 0.0)
        for name in names[1:]:
            row[f"revenue_eur Δ [{name}]"] = revenue[pid].get(name, 0.0) - first
        rows.append(row)
    return pd.DataFrame(rows)


def write_comparison(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> dict[str, Path]:
    """``compare_<table>.csv`` for each table and ``compare.xlsx`` (one sheet each)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, df in tables.items():
        path = out / f"compare_{name}.csv"
        df.to_csv(path, index=False)
        written[path.name] = path
    written["compare.xlsx"] = write_xlsx(out / "compare.xlsx", tables)
    return written
