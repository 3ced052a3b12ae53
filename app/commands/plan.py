"""``racines plan [SCENARIO] --out DIR``: the territory's plan, the main job.

Plans every kitchen's purchases (solver.sourcing), the platform's rounds for the orders
it carries (solver.rounds.routing), feeds the rounds' logistics cost back into the sourcing model
once, checks both with the independent checkers and writes every output file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from app import services

from app.cluster import open_cluster, parse_address
from app.commands.ordering_options import (
    RegularityCost,
    RegularityScopeOption,
    SupplierOrderCost,
)
from app.config import Settings
from app.paths import DEMO_SCENARIO
from app.render import console, err_console, fmt, indicators_table, print_problems, progress_display
from solver.core import ScenarioError, SolveParams, school_year_weeks

#: Default sourcing time limit of ``--year``: the demo's school year is planned within 1 %
#: of its bound in about 100 s on a 2-core machine (benchmarks/matching_scale.py).
YEAR_TIME_LIMIT_S = 120.0


def school_year_n_weeks(scenario_start: object, zones: set[str]) -> int:
    """Calendar weeks from the start date to the last school week of any zone."""
    import datetime as dt

    assert isinstance(scenario_start, dt.date)
    last = max(max(school_year_weeks(z)) for z in zones)
    return (last - scenario_start).days // 7 + 1


def register(cli: typer.Typer) -> None:
    """Add the ``plan`` command."""

    @cli.command("plan")
    def plan_cmd(
        scenario: Annotated[
            Path,
            typer.Argument(
                help="Scenario folder, .json, or variant folder+override.toml "
                "(default: the demo territory)."
            ),
        ] = DEMO_SCENARIO,
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
        weeks: Annotated[
            int | None, typer.Option(help="Weeks to plan (default: settings.horizon_weeks).")
        ] = None,
        year: Annotated[
            bool, typer.Option("--year", help="Plan the whole school year from start_date.")
        ] = False,
        time_limit_s: Annotated[
            float | None,
            typer.Option(
                help="Sourcing time limit, s (default: settings; with --year at least "
                f"{YEAR_TIME_LIMIT_S:.0f})."
            ),
        ] = None,
        rounds: Annotated[bool, typer.Option(help="Plan the platform's rounds.")] = True,
        seed: Annotated[int | None, typer.Option(help="Seed (default: settings.seed).")] = None,
        supplier_order_cost_eur: SupplierOrderCost = None,
        regularity_eur_per_kg: RegularityCost = None,
        regularity_scope: RegularityScopeOption = None,
        cluster: Annotated[
            str | None,
            typer.Option(
                help="Dask cluster for the sourcing's solves: local:N (N local workers) or "
                "tcp://HOST:8786 (default: RACINES_DASK_SCHEDULER, else this process)."
            ),
        ] = None,
    ) -> None:
        """Plan the territory: purchases, rounds, indicators, explanations, checks."""
        from app import services
        from app.cycle import ordering_options
        from solver.sourcing import SourcingOptions

        try:
            sc = services.load_scenario(scenario)
            ordering = ordering_options(
                sc, supplier_order_cost_eur, regularity_eur_per_kg, regularity_scope
            )
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        s = sc.settings
        if year:
            weeks = school_year_n_weeks(s.start_date, {c.school_zone.value for c in sc.canteens})
            if time_limit_s is None:
                time_limit_s = max(s.time_limit_s, YEAR_TIME_LIMIT_S)
        params = SolveParams(
            time_limit_s=time_limit_s or s.time_limit_s, seed=s.seed if seed is None else seed
        )
        base = services.split_scenario_spec(scenario)[0]
        base = base if base.is_dir() else base.parent
        address = Settings().dask_scheduler if cluster is None else cluster
        try:
            parse_address(address)
        except ValueError as exc:
            err_console.print(f"[red]{exc}")
            raise typer.Exit(2) from None
        with open_cluster(address) as runner, progress_display(f"planning {s.name}") as report:
            outcome = services.plan_territory(
                sc,
                params=params,
                weeks=weeks,
                progress=report,
                base_dir=base,
                with_rounds=rounds,
                options=SourcingOptions(ordering=ordering),
                runner=runner,
            )
        outcome.record.update(scenario_path=str(scenario.resolve()))
        written = outcome.write_outputs(out)
        _print_summary(outcome)
        names = sorted({name.split("/")[0] + ("/" if "/" in name else "") for name in written})
        console.print(f"wrote to [bold]{out}[/]: " + ", ".join(names))
        if not outcome.ok:
            err_console.print("[red]the independent checker found violations: see check.json")
            raise typer.Exit(3)


def _print_summary(outcome: services.PlanOutcome) -> None:
    t, r = outcome.territory, outcome.sourcing
    console.print(indicators_table(outcome.indicators, title="Indicators against targets"))
    console.print(
        f"[bold]{r.status}[/] over {len(t.weeks)} weeks: total {fmt(r.objective_eur, 0)} EUR "
        f"(food {fmt(r.food_cost_eur, 0)}, logistics {fmt(r.logistics_cost_eur, 0)} "
        f"[{r.plan.logistics_source}]); lower bound {fmt(r.lower_bound_eur, 0)} EUR, "
        f"gap {fmt(100 * r.gap, 2)} %; solved in {fmt(r.runtime_s, 1)} s"
    )
    for it in outcome.iterations:
        console.print(
            f"  sourcing with logistics priced by {it['logistics_priced_by']}: "
            f"{fmt(it['objective_eur'], 0)} EUR, platform {fmt(it['platform_kg'], 0)} kg"
            + (f", {it['lines_changed']} lines changed" if "lines_changed" in it else "")
        )
    several = len(outcome.all_rounds) > 1
    for pid, rounds in outcome.all_rounds.items():
        sm = rounds.result.summary
        console.print(
            f"rounds{f' of {pid}' if several else ''}: {sm.routes} route(s), "
            f"{fmt(sm.distance_km)} km, {fmt(sm.hours)} h, "
            f"{fmt(sm.cost_eur, 0)} EUR, {fmt(sm.co2_kg, 0)} kg CO2, {fmt(sm.kg_per_km)} kg/km; "
            f"{sm.orders_served} orders served, {sm.orders_unassigned} explained"
        )
    reg = outcome.to_dict()["regularity"]
    if reg:
        console.print(
            f"regularity: {reg['producers']} producers, {fmt(reg['orders_per_producer_per_month'])}"
            f" orders a month each, weekly kg CV {fmt(reg['weekly_kg_cv'], 2)} (regularity.csv)"
        )
    verdict = "[green]no violation" if outcome.ok else "[red]violations found"
    console.print(f"independent checks: {verdict}")
    console.print(f"travel times: {t.travel_label}")
    if t.scenario.settings.synthetic:
        console.print("scenario: contains SYNTHETIC figures (see its README)")
