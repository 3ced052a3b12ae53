"""``racines contracts [SCENARIO]``: yearly contracts proposed from the school-year plan.

Plans the school year from the scenario's start date (as ``racines plan --year``), or
``--weeks`` weeks, then proposes one contract per kitchen and producer with monthly
volumes and prices and a backup supplier for each line; both the plan and the contracts
are checked independently. Writes ``contracts.csv``, ``contracts.xlsx``,
``contracts_summary.json`` and one Markdown page per producer in ``producers/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from app.commands.plan import YEAR_TIME_LIMIT_S, school_year_n_weeks
from app.paths import DEMO_SCENARIO
from app.render import console, err_console, fmt, print_problems, progress_display
from solver.core import ScenarioError, SolveParams


def register(cli: typer.Typer) -> None:
    """Add the ``contracts`` command."""

    @cli.command("contracts")
    def contracts_cmd(
        scenario: Annotated[
            str,
            typer.Argument(
                help="Scenario folder, .json or variant folder+override.toml "
                "(default: the demo territory)."
            ),
        ] = str(DEMO_SCENARIO),
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/contracts"),
        weeks: Annotated[
            int | None,
            typer.Option(help="Weeks to plan (default: the school year from start_date)."),
        ] = None,
        time_limit_s: Annotated[
            float | None,
            typer.Option(
                help=f"Sourcing time limit, s (default: settings; for the year at least "
                f"{YEAR_TIME_LIMIT_S:.0f})."
            ),
        ] = None,
        rounds: Annotated[bool, typer.Option(help="Plan the platforms' rounds.")] = True,
    ) -> None:
        """Propose yearly contracts: monthly volumes, prices, a backup for every line."""
        from app import services, whatifs

        try:
            sc = services.load_scenario(scenario)
            base = services.split_scenario_spec(scenario)[0]
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        s = sc.settings
        if weeks is None:
            weeks = school_year_n_weeks(s.start_date, {c.school_zone.value for c in sc.canteens})
            time_limit_s = time_limit_s or max(s.time_limit_s, YEAR_TIME_LIMIT_S)
        params = SolveParams(time_limit_s=time_limit_s or s.time_limit_s, seed=s.seed)
        with progress_display(f"contracts for {s.name}") as report:
            result = whatifs.plan_contracts(
                sc,
                params=params,
                weeks=weeks,
                base_dir=base if base.is_dir() else base.parent,
                with_rounds=rounds,
                progress=report,
            )
        written = result.write(out)
        _print(result)
        console.print(f"wrote to [bold]{out}[/]: " + ", ".join(sorted(written)))
        if not result.ok:
            err_console.print("[red]an independent checker found violations: see the summary")
            raise typer.Exit(3)


def _print(result: object) -> None:
    from app.whatifs import ContractsOutcome

    assert isinstance(result, ContractsOutcome)
    lines = result.contracts.lines
    t = Table(title="Proposed contracts per producer (school-year volumes)")
    for col in ("producer", "market gardener", "kitchens", "products", "kg", "EUR", "backups"):
        t.add_column(col, justify="left" if col == "producer" else "right")
    for pid, sub in lines.groupby("producer_id", sort=True):
        backups = (sub["backup_kind"] == "producer").sum()
        t.add_row(
            str(pid),
            "yes" if bool(sub["market_gardener"].iloc[0]) else "",
            str(sub["kitchen_id"].nunique()),
            str(sub["product_id"].nunique()),
            fmt(float(sub["kg"].sum()), 0),
            fmt(float(sub["value_eur"].sum()), 0),
            f"{backups} farm / {len(sub) - backups} wholesaler",
        )
    console.print(t)
    s = result.contracts.summary()
    weeks = result.plan.territory.weeks
    console.print(
        f"{s['contracts']} contracts ({s['contract_lines']} monthly lines) between "
        f"{s['kitchens']} kitchens and {s['producers']} producers over {len(weeks)} weeks "
        f"from {weeks[0]}: {fmt(s['kg'], 0)} kg, {fmt(s['value_eur'], 0)} EUR; backups: "
        f"{s['lines_backed_by_producer']} lines by another farm, "
        f"{s['lines_backed_by_wholesaler']} by the wholesaler"
    )
    console.print(
        f"kitchens with a contract with a market gardener: "
        f"[bold]{s['kitchens_with_market_gardener']}[/] of "
        f"{len(result.plan.territory.scenario.kitchens())}"
    )
    verdict = "[green]no violation" if result.ok else "[red]violations found"
    console.print(f"independent checks (plan, rounds, contracts): {verdict}")
    if result.plan.territory.scenario.settings.synthetic:
        console.print("scenario: contains SYNTHETIC figures (see its README)")
