"""``racines propose --canteen ID [SCENARIO]``: a cook's sourcing proposal for one canteen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass
from rich.table import Table

from app.paths import DEMO_SCENARIO
from app.render import console, err_console, fmt, indicators_table, print_problems, progress_display
from solver.core import ScenarioError, SolveParams


def register(cli: typer.Typer) -> None:
    """Add the ``propose`` command."""

    @cli.command("propose")
    def propose_cmd(
        canteen: Annotated[str, typer.Option("--canteen", help="Canteen id.")],
        scenario: Annotated[
            Path, typer.Argument(help="Scenario folder or .json (default: the demo territory).")
        ] = DEMO_SCENARIO,
        weeks: Annotated[int, typer.Option(help="Weeks (a menu cycle is 4).")] = 4,
        out: Annotated[Path | None, typer.Option(help="Write the output files here.")] = None,
        time_limit_s: Annotated[float, typer.Option(help="Solve time limit, s.")] = 20.0,
    ) -> None:
        """What to buy locally, from whom, week by week, at what cost and shares."""
        from app import services

        try:
            sc = services.load_scenario(scenario)
            base = scenario if scenario.is_dir() else scenario.parent
            with progress_display(f"proposal for {canteen}") as report:
                outcome = services.propose(
                    sc,
                    canteen,
                    weeks=weeks,
                    params=SolveParams(time_limit_s=time_limit_s, seed=sc.settings.seed),
                    progress=report,
                    base_dir=base,
                )
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        lines = outcome.plan.lines
        n_weeks = len(outcome.territory.weeks)
        t = Table(title=f"Local purchases for {outcome.kitchens[0]} ({n_weeks} weeks)")
        for col in ("week", "supplier", "product", "kg", "EUR", "labels", "channel"):
            t.add_column(col, justify="right" if col in ("kg", "EUR") else "left")
        for ln in sorted(lines, key=lambda x: (x.week_start, x.supplier_id, x.product_id)):
            if ln.local:
                t.add_row(
                    ln.week_start.isoformat(),
                    ln.supplier_name or ln.supplier_id,
                    ln.product_id,
                    fmt(ln.quantity_kg),
                    fmt(ln.value_eur, 2),
                    ",".join(x.value for x in ln.labels),
                    ln.channel.value,
                )
        console.print(t)
        ref = sum(ln.value_eur for ln in lines if not ln.local)
        console.print(f"bought from the reference wholesaler: {fmt(ref, 2)} EUR")
        console.print(indicators_table(outcome.indicators, title="Indicators against targets"))
        reasons = outcome.explanations
        if not reasons.empty and "reason" in reasons.columns:
            counts = reasons[reasons.get("kind", "kg") == "kg"].groupby("reason").size()
            console.print(
                "why not local (rows per reason): "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
            )
        verdict = "[green]no violation" if outcome.ok else "[red]violations found"
        console.print(
            f"independent check: {verdict}; travel times: {outcome.territory.travel_label}"
        )
        if out is not None:
            written = outcome.write_outputs(out)
            console.print(f"wrote {len(written)} outputs to {out}")
        if not outcome.ok:
            err_console.print("[red]the independent checker found violations")
            raise typer.Exit(3)
