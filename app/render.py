"""Readable terminal tables and progress for the CLI (rich)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from solver.core import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

# When output goes to a file or a pipe, rich would wrap at 80 columns: tables are wider.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)


@contextmanager
def progress_display(title: str) -> Iterator[Callable[[float, str], None]]:
    """A progress bar; yields ``report(fraction, message)`` for the services."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[step]}"),
    )
    with Progress(*columns, console=err_console, transient=False) as bar:
        task = bar.add_task(title, total=1.0, step="")

        def report(fraction: float, message: str, _partial: object = None) -> None:
            bar.update(task, completed=max(0.0, min(1.0, fraction)), step=message)

        yield report


def print_problems(exc: ScenarioError) -> None:
    """Every problem of a scenario as a table (file, row, column, value, message)."""
    t = Table(title=f"{len(exc.problems)} problem(s) in the scenario", show_lines=False)
    for col in ("file", "row", "column", "value", "message"):
        t.add_column(col)
    for p in exc.problems:
        t.add_row(p.file, str(p.row or ""), p.column, p.value, p.message)
    err_console.print(t)


def fmt(x: Any, digits: int = 1) -> str:
    """A number for a table cell ('' for NaN/None)."""
    if x is None:
        return ""
    if isinstance(x, float):
        if not math.isfinite(x):
            return ""
        return f"{x:,.{digits}f}"
    return str(x)


def indicators_table(df: pd.DataFrame, *, title: str) -> Table:
    """Indicators per kitchen and for the territory, against targets."""
    cols = [
        ("kitchen_id", "kitchen", 0),
        ("total_value_eur", "EUR", 0),
        ("cost_per_meal_eur", "EUR/meal", 2),
        ("budget_eur_per_meal", "budget", 2),
        ("egalim_pct", "EGALIM %", 1),
        ("bio_pct", "bio %", 1),
        ("meat_fish_egalim_pct", "meat&fish EGALIM %", 1),
        ("local_pct", "local %", 1),
        ("deliveries_per_week", "deliveries/wk", 1),
        ("producers_engaged", "producers", 0),
    ]
    present = [c for c in cols if c[0] in df.columns]
    t = Table(title=title)
    for _, head, _ in present:
        t.add_column(head, justify="left" if head == "kitchen" else "right")
    for _, row in df.iterrows():
        t.add_row(*(fmt(row[c], d) for c, _, d in present))
    return t
