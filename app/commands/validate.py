"""``racines validate [SCENARIO]``: summary of a scenario and every problem in it.

Exit codes: 0 valid, 1 invalid, 2 scenario not found. A bad scenario never produces a
traceback: every problem is a row of the problems table (file, row, column, value,
message). SCENARIO is a scenario folder, a scenario ``.json`` file or a variant
``folder+override.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from app.paths import DEMO_SCENARIO
from solver.core import Problem, Scenario, ScenarioError
from solver.scenario import (
    SourceMap,
    collect_scenario_folder,
    collect_scenario_json,
    collect_scenario_variant,
    scenario_warnings,
    validate_scenario,
)

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_NOT_FOUND = 2


def summary_rows(scenario: Scenario) -> list[tuple[str, str]]:
    """(what, how many) lines of the summary table."""
    s = scenario
    kitchens = s.kitchens()
    satellites = len(s.canteens) - len(kitchens)
    cycles = sorted({m.cycle_id for m in s.menu})
    suppliers = sorted({r.supplier_id for r in s.reference_offers})
    vans = [v for p in s.platforms for v in p.vans]
    return [
        ("canteens", f"{len(s.canteens)}"),
        ("kitchens (buy for themselves)", f"{len(kitchens)} ({satellites} satellites)"),
        ("meals per service day", f"{sum(c.meals_per_day for c in s.canteens):,}"),
        ("canteens with direct demand", f"{len({d.canteen_id for d in s.direct_demand})}"),
        ("producers", f"{len(s.producers)}"),
        ("offers", f"{len(s.offers)}"),
        ("products", f"{len(s.products)}"),
        ("menu items", f"{len(s.menu)} in {len(cycles)} cycle(s)"),
        ("reference offers", f"{len(s.reference_offers)} from {len(suppliers)} supplier(s)"),
        ("platforms / vans", f"{len(s.platforms)} / {len(vans)}"),
        ("horizon", f"{s.settings.horizon_weeks} weeks from {s.settings.start_date}"),
    ]


def _summary_table(name: str, scenario: Scenario, partial: bool) -> Table:
    caption = "counts of the rows that could be read" if partial else None
    t = Table(title=f"Scenario {name}", caption=caption)
    t.add_column("what")
    t.add_column("count", justify="right")
    for what, n in summary_rows(scenario):
        t.add_row(what, n)
    if scenario.settings.synthetic:
        t.add_row("figures", "synthetic (generated)")
    return t


def _problem_table(title: str, problems: list[Problem], style: str) -> Table:
    t = Table(title=title, title_style=style, show_lines=False)
    for header in ("file", "row", "column", "value"):
        t.add_column(header, overflow="fold", justify="right" if header == "row" else "left")
    t.add_column("message", overflow="fold", ratio=1)
    for p in problems:
        t.add_row(p.file, str(p.row) if p.row else "", p.column, p.value, p.message)
    return t


def check(path: Path) -> tuple[Scenario, list[Problem], list[Problem]]:
    """Read and validate a scenario folder, JSON file or variant (``folder+override.toml``):
    (scenario, problems, warnings)."""
    from app import services

    source: SourceMap
    try:
        base, overrides = services.split_scenario_spec(path)
    except ScenarioError as exc:
        return Scenario(), exc.problems, []
    if overrides:
        scenario, source, problems = collect_scenario_variant(base, list(overrides))
        return scenario, problems, [] if problems else scenario_warnings(scenario, source)
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Scenario(), [Problem(path.name, 0, "", "", f"cannot read: {exc.strerror}")], []
        scenario, source, problems = collect_scenario_json(data)
    else:
        scenario, source, problems = collect_scenario_folder(path)
    problems = problems + validate_scenario(scenario, source)
    return scenario, problems, scenario_warnings(scenario, source)


def register(cli: typer.Typer) -> None:
    """Add the ``validate`` command."""

    @cli.command("validate")
    def validate_cmd(
        scenario: Annotated[
            Path,
            typer.Argument(
                help="Scenario folder, .json file or variant folder+override.toml. "
                "Default: the demo territory."
            ),
        ] = DEMO_SCENARIO,
    ) -> None:
        """Check a scenario: every problem at once, each with file, row, column and value."""
        from app import services

        console = Console()
        try:
            base = services.split_scenario_spec(scenario)[0]
        except ScenarioError:
            base = scenario
        if not base.exists():
            console.print(f"[bold red]Scenario not found:[/] {scenario}")
            raise typer.Exit(EXIT_NOT_FOUND)
        built, problems, warnings = check(scenario)
        console.print(_summary_table(scenario.name, built, partial=bool(problems)))
        if warnings:
            console.print(_problem_table(f"{len(warnings)} warning(s)", warnings, "yellow"))
        if problems:
            console.print(_problem_table(f"{len(problems)} problem(s)", problems, "bold red"))
            console.print(f"[bold red]invalid[/]: {len(problems)} problem(s) in {scenario}")
            raise typer.Exit(EXIT_INVALID)
        console.print(f"[bold green]valid[/]: {scenario}")
