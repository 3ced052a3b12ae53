"""``racines demand [SCENARIO]``: weekly demand from menus, totals, portion plausibility."""

from __future__ import annotations

import datetime as dt
import logging
import math
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from app.paths import DEMO_SCENARIO
from app.provenance import COLUMN, provenance_text
from solver.core import CalendarError, Scenario, ScenarioError, week_starts
from solver.prepare import (
    canteen_meals_per_week,
    canteen_weekly_demand,
    demand_summary,
    meals_per_week,
    portion_check,
    weekly_demand,
)
from solver.scenario import load_scenario

logger = logging.getLogger(__name__)


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{x:,.{digits}f}"


def _g_per_meal(kg: float, meals: float) -> str:
    return _fmt(kg / meals * 1000 if meals else None, 0)


def _table(title: str, columns: list[tuple[str, bool]], caption: str | None = None) -> Table:
    """A rich table; ``columns`` are (header, right-justified)."""
    t = Table(title=title, caption=caption)
    for header, right in columns:
        t.add_column(header, justify="right" if right else "left")
    return t


def _weekly_table(demand: pd.DataFrame, meals: pd.DataFrame) -> Table:
    kg: dict[tuple[str, dt.date], float] = {}
    for r in demand.to_dict("records"):
        key = (str(r["kitchen_id"]), r["week_start"])
        kg[key] = kg.get(key, 0.0) + float(r["demand_kg"])
    t = _table(
        "Weekly demand per kitchen",
        [
            ("kitchen", False),
            ("week", False),
            ("service days", True),
            ("meals", True),
            ("demand kg", True),
            ("g / meal", True),
        ],
    )
    for r in meals.to_dict("records"):
        total = kg.get((str(r["kitchen_id"]), r["week_start"]), 0.0)
        n = int(r["meals"])
        t.add_row(
            str(r["kitchen_id"]),
            r["week_start"].isoformat(),
            str(r["service_days"]),
            f"{n:,}",
            _fmt(total),
            _g_per_meal(total, n),
        )
    return t


def _kitchen_table(summary: pd.DataFrame, meals: pd.DataFrame) -> Table:
    t = _table(
        "Horizon totals per kitchen and product family",
        [("kitchen", False), ("family", False), ("demand kg", True), ("meals", True)]
        + [("g / meal", True)],
    )
    total_meals: dict[str, int] = {}
    for r in meals.to_dict("records"):
        total_meals[str(r["kitchen_id"])] = total_meals.get(str(r["kitchen_id"]), 0) + int(
            r["meals"]
        )
    rows = summary.to_dict("records")
    for kid in sorted({str(r["kitchen_id"]) for r in rows}):
        mine = [r for r in rows if str(r["kitchen_id"]) == kid]
        n = total_meals.get(kid, 0)
        for r in mine:
            kg_f = float(r["demand_kg"])
            t.add_row(kid, str(r["family"]), _fmt(kg_f), f"{n:,}", _g_per_meal(kg_f, n))
        kg = sum(float(r["demand_kg"]) for r in mine)
        t.add_row(
            f"[bold]{kid}[/bold]",
            "[bold]all families[/bold]",
            f"[bold]{_fmt(kg)}[/bold]",
            f"{n:,}",
            _g_per_meal(kg, n),
            end_section=True,
        )
    return t


def _family_table(summary: pd.DataFrame, meals: pd.DataFrame) -> Table:
    t = _table(
        "Territory totals per product family",
        [("family", False), ("demand kg", True), ("g / meal", True)],
    )
    n = int(meals["meals"].sum())
    by_family: dict[str, float] = {}
    for r in summary.to_dict("records"):
        by_family[str(r["family"])] = by_family.get(str(r["family"]), 0.0) + float(r["demand_kg"])
    for family in sorted(by_family):
        t.add_row(family, _fmt(by_family[family]), _g_per_meal(by_family[family], n))
    total = sum(by_family.values())
    t.add_row("[bold]all[/bold]", f"[bold]{_fmt(total)}[/bold]", _g_per_meal(total, n))
    return t


_STATUS_STYLE = {"ok": "green", "too low": "yellow", "too high": "red", "no meals": "dim"}


def _portion_table(check: pd.DataFrame) -> Table:
    t = _table(
        "Portion plausibility: purchased g per meal vs GEMRCN-derived band (territory)",
        [("family", False), ("g / meal", True), ("band g / meal", True), ("status", False)],
        caption="Bands: GEMRCN portions x frequencies / yields, scaled by age mix "
        "(solver/prepare/demand.py).",
    )
    for r in check.to_dict("records"):
        if r["kitchen_id"] != "ALL":
            continue
        status = str(r["status"])
        style = _STATUS_STYLE.get(status, "")
        t.add_row(
            str(r["family"]),
            _fmt(float(r["kg_per_meal"]) * 1000, 0),
            f"{float(r['low_kg_per_meal']) * 1000:.0f} - {float(r['high_kg_per_meal']) * 1000:.0f}",
            f"[{style}]{status}[/{style}]",
        )
    return t


def _load(
    console: Console, scenario: Path, start: str | None, weeks: int | None
) -> tuple[Scenario, list[dt.date], pd.DataFrame, pd.DataFrame]:
    """Scenario, weeks, weekly demand and meals; prints the problem and exits 1 on failure."""
    try:
        sc = load_scenario(scenario)
    except ScenarioError as exc:
        console.print(f"[red]Scenario {scenario} has {len(exc.problems)} problem(s):[/red]")
        for p in exc.problems:
            console.print(f"  - {p}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    try:
        first = dt.date.fromisoformat(start) if start else sc.settings.start_date
    except ValueError:
        console.print(f"[red]--start: not a date YYYY-MM-DD: {start!r}[/red]")
        raise typer.Exit(1) from None
    horizon = week_starts(first, weeks or sc.settings.horizon_weeks)
    try:
        demand = weekly_demand(sc, weeks=horizon)
        meals = meals_per_week(sc, weeks=horizon)
    except (ScenarioError, CalendarError) as exc:
        console.print(f"[red]{exc}[/red]", markup=True, highlight=False)
        raise typer.Exit(1) from None
    return sc, horizon, demand, meals


def _print_flagged(
    console: Console, sc: Scenario, horizon: list[dt.date], check: pd.DataFrame
) -> None:
    """The (kitchen, family) and (canteen, family) pairs outside their portion band."""
    per_canteen = portion_check(
        sc,
        canteen_weekly_demand(sc, weeks=horizon),
        canteen_meals_per_week(sc, weeks=horizon),
        key="canteen_id",
    )
    for what, table, key in (
        ("kitchen", check, "kitchen_id"),
        ("canteen", per_canteen, "canteen_id"),
    ):
        flagged = [
            f"{r[key]}/{r['family']} {r['status']}"
            for r in table.to_dict("records")
            if r[key] != "ALL" and r["status"] in ("too low", "too high")
        ]
        n_keys = table[key].nunique() - 1
        if not flagged:
            console.print(f"All {n_keys} {what}s: every family within its band.")
            continue
        more = f" ... and {len(flagged) - 20} more" if len(flagged) > 20 else ""
        console.print(
            f"{len(flagged)} ({what}, family) pair(s) outside their band: "
            + ", ".join(flagged[:20])
            + more
        )


def _write_csv(console: Console, sc: Scenario, demand: pd.DataFrame, csv_out: Path) -> None:
    out = demand.copy()
    out["week_start"] = out["week_start"].map(lambda d: d.isoformat())
    synthetic = sc.settings.synthetic
    out[COLUMN] = provenance_text(synthetic=synthetic, estimated=None, travel_source="")
    csv_out.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(csv_out, index=False, float_format="%.4f")
    console.print(f"Wrote {len(out)} rows to {csv_out}")


def register(cli: typer.Typer) -> None:
    """Add the ``demand`` command."""

    @cli.command("demand")
    def demand_cmd(
        scenario: Annotated[
            Path,
            typer.Argument(help="Scenario folder (default: the Baronnies demo territory)."),
        ] = DEMO_SCENARIO,
        weeks: Annotated[
            int | None,
            typer.Option("--weeks", min=1, max=60, help="Number of weeks (default: settings)."),
        ] = None,
        start: Annotated[
            str | None,
            typer.Option("--start", help="First week, YYYY-MM-DD (default: settings)."),
        ] = None,
        csv_out: Annotated[
            Path | None,
            typer.Option("--csv", help="Write the full weekly demand table to this CSV file."),
        ] = None,
    ) -> None:
        """Weekly demand per kitchen and product from menus, calendar and headcounts."""
        console = Console()
        sc, horizon, demand, meals = _load(console, scenario, start, weeks)
        summary = demand_summary(sc, demand, meals)
        check = portion_check(sc, demand, meals)
        console.print(
            f"[bold]{sc.settings.name}[/bold]: {len(sc.kitchens())} kitchens, "
            f"{len(sc.canteens)} canteens, weeks {horizon[0].isoformat()} .. "
            f"{horizon[-1].isoformat()}"
            + (" [yellow](synthetic figures)[/yellow]" if sc.settings.synthetic else "")
        )
        console.print(_weekly_table(demand, meals))
        console.print(_kitchen_table(summary, meals))
        console.print(_family_table(summary, meals))
        console.print(_portion_table(check))
        _print_flagged(console, sc, horizon, check)
        if csv_out is not None:
            _write_csv(console, sc, demand, csv_out)
