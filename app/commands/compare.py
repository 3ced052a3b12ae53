"""``racines compare SCENARIO_A SCENARIO_B [...]``: territory what-ifs side by side.

A scenario is a folder, or a variant ``folder+override.toml`` (or an override file that
names its ``base``). Each is planned as ``racines plan`` does over the same weeks; the
figures (costs, shares, producers engaged, kg through the platforms, km driven), each
kitchen's shares and their differences against the first are printed and written as CSV
files and a workbook.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from app.render import console, err_console, fmt, print_problems, progress_display
from solver.core import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

#: Most scenarios one comparison plans.
MAX_SCENARIOS = 6


def register(cli: typer.Typer) -> None:
    """Add the ``compare`` command."""

    @cli.command("compare")
    def compare_cmd(
        scenarios: Annotated[
            list[str],
            typer.Argument(
                help="Two or more scenarios: folders or variants folder+override.toml; "
                "the first is the reference of the differences."
            ),
        ],
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/compare"),
        weeks: Annotated[
            int | None, typer.Option(help="Weeks to plan (default: the first's settings).")
        ] = None,
        time_limit_s: Annotated[
            float | None, typer.Option(help="Sourcing time limit per scenario, s.")
        ] = None,
        rounds: Annotated[bool, typer.Option(help="Plan the platforms' rounds.")] = True,
        kitchens: Annotated[
            str, typer.Option(help="Kitchens shown in the per-kitchen table (id pattern).")
        ] = "*",
    ) -> None:
        """Compare scenarios: costs, shares, producers, platform kg, km, per kitchen."""
        from app import services, whatifs

        if not 2 <= len(scenarios) <= MAX_SCENARIOS:
            err_console.print(f"[red]compare takes 2 to {MAX_SCENARIOS} scenarios")
            raise typer.Exit(2)
        try:
            loaded = []
            for spec in scenarios:
                sc = services.load_scenario(spec)
                base = services.split_scenario_spec(spec)[0]
                loaded.append((sc.settings.name, sc, base if base.is_dir() else base.parent))
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        with progress_display(f"comparing {len(loaded)} scenarios") as report:
            result = whatifs.compare_scenarios(
                loaded,
                weeks=weeks,
                time_limit_s=time_limit_s,
                with_rounds=rounds,
                progress=report,
            )
        written = result.write(out)
        console.print(_summary_table(result.tables["summary"]))
        console.print(_kitchens_table(result.tables["kitchens"], result.names, kitchens))
        first = result.outcomes[0].territory
        console.print(f"{len(first.weeks)} weeks from {first.weeks[0]}; {first.travel_label}")
        if any(o.territory.scenario.settings.synthetic for o in result.outcomes):
            console.print("scenarios: contain SYNTHETIC figures (see their README)")
        console.print(f"wrote to [bold]{out}[/]: " + ", ".join(sorted(written)))
        if not result.ok:
            err_console.print("[red]an independent checker found violations in a plan")
            raise typer.Exit(3)


def _digits(figure: str) -> int:
    if figure.endswith(("_pct", "_eur_per_meal")) or figure == "cost_per_meal_eur":
        return 2 if figure == "cost_per_meal_eur" else 1
    return 0


def _summary_table(df: pd.DataFrame) -> Table:
    t = Table(title="Scenarios side by side (Δ: against the first)")
    for col in df.columns:
        t.add_column(str(col), justify="left" if col == "figure" else "right")
    for row in df.to_dict("records"):
        d = _digits(str(row["figure"]))
        t.add_row(*(str(row["figure"]), *(fmt(row[c], d) for c in df.columns[1:])))
    return t


def _kitchens_table(df: pd.DataFrame, names: list[str], pattern: str) -> Table:
    t = Table(title=f"Local share of each kitchen ({pattern}), %; EGALIM %")
    t.add_column("kitchen")
    for name in names:
        t.add_column(f"local % {name}", justify="right")
    for name in names[1:]:
        t.add_column(f"Δ {name}", justify="right")
    for name in names:
        t.add_column(f"EGALIM % {name}", justify="right")
    for row in df.to_dict("records"):
        if not fnmatch.fnmatchcase(str(row["kitchen_id"]), pattern):
            continue
        t.add_row(
            str(row["kitchen_id"]),
            *(fmt(row[f"local_pct [{n}]"]) for n in names),
            *(fmt(row[f"local_pct Δ [{n}]"]) for n in names[1:]),
            *(fmt(row[f"egalim_pct [{n}]"]) for n in names),
        )
    return t
