"""``racines week [SCENARIO] --week DATE [--availability FILE] [--fixed FILE] --out DIR``.

One week of the ordering cycle: the producers' availability lists (mercuriale) replace
their offers for the week, orders already sent are kept and the rest is planned; writes
each kitchen's orders with the day and time they are due, each producer's preparation,
the platform's round, and the plan's files (:func:`app.cycle.plan_week`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from app.commands.ordering_options import (
    RegularityCost,
    RegularityScopeOption,
    SupplierOrderCost,
)
from app.paths import DEMO_SCENARIO
from app.render import console, err_console, fmt, print_problems, progress_display
from solver.core import Availability, FixedOrder, ScenarioError, SolveParams

#: Default sourcing time limit of a week, seconds.
WEEK_TIME_LIMIT_S = 30.0


def _read_inputs(
    sc: object, availability: Path | None, fixed: Path | None
) -> tuple[list[Availability], list[tuple[int, FixedOrder]]]:
    from solver.core import Problem, Scenario
    from solver.scenario import check_fixed_orders, collect_records, load_availability

    assert isinstance(sc, Scenario)
    problems: list[Problem] = []
    rows: list[Availability] = []
    if availability is not None:
        try:
            rows = load_availability(availability, sc)
        except ScenarioError as exc:
            problems += exc.problems
    orders: list[tuple[int, FixedOrder]] = []
    if fixed is not None:
        orders, found = collect_records(fixed, FixedOrder)
        problems += found + check_fixed_orders(orders, sc, fixed.name)
    if problems:
        raise ScenarioError(problems)
    return rows, orders


def register(cli: typer.Typer) -> None:
    """Add the ``week`` command."""

    @cli.command("week")
    def week_cmd(
        week: Annotated[
            dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Monday of the week to order.")
        ],
        scenario: Annotated[
            Path, typer.Argument(help="Scenario folder or .json (default: the demo territory).")
        ] = DEMO_SCENARIO,
        availability: Annotated[
            Path | None,
            typer.Option(
                help="Availability lists (CSV/XLSX: producer_id, product_id, week, "
                "kg_available, price_eur_per_unit)."
            ),
        ] = None,
        fixed: Annotated[
            Path | None,
            typer.Option(
                help="Orders already sent (CSV/XLSX: kitchen_id, producer_id, product_id, kg"
                "[, channel]), kept as they are."
            ),
        ] = None,
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out_week"),
        time_limit_s: Annotated[float, typer.Option(help="Sourcing time limit, s.")] = (
            WEEK_TIME_LIMIT_S
        ),
        rounds: Annotated[bool, typer.Option(help="Plan the platform's round.")] = True,
        supplier_order_cost_eur: SupplierOrderCost = None,
        regularity_eur_per_kg: RegularityCost = None,
        regularity_scope: RegularityScopeOption = None,
    ) -> None:
        """A week's orders: per kitchen from whom and by when, per producer what to prepare."""
        from app import cycle, services
        from app.cycle import ordering_options

        monday = week.date()
        try:
            sc = services.load_scenario(scenario)
            rows, orders = _read_inputs(sc, availability, fixed)
            ordering = ordering_options(
                sc, supplier_order_cost_eur, regularity_eur_per_kg, regularity_scope
            )
            base = scenario if scenario.is_dir() else scenario.parent
            with progress_display(f"orders of the week of {monday.isoformat()}") as report:
                outcome = cycle.plan_week(
                    sc,
                    monday,
                    params=SolveParams(time_limit_s=time_limit_s, seed=sc.settings.seed),
                    availability=rows,
                    fixed=orders,
                    fixed_file=fixed.name if fixed is not None else "fixed orders",
                    ordering=ordering,
                    with_rounds=rounds,
                    base_dir=base,
                    progress=report,
                )
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        outcome.outcome.record.update(scenario_path=str(scenario.resolve()))
        written = outcome.write_outputs(out)
        _print(outcome)
        console.print(f"wrote {len(written)} outputs to [bold]{out}[/]")
        if not outcome.ok:
            err_console.print("[red]the independent checkers found violations: see check.json")
            raise typer.Exit(3)


def _print(outcome: object) -> None:
    from app.cycle import WeekOutcome

    assert isinstance(outcome, WeekOutcome)
    orders = outcome.orders
    t = Table(title=f"Orders of the week of {outcome.week.isoformat()}")
    for col in ("kitchen", "supplier", "channel", "order by", "lines", "kg", "EUR"):
        t.add_column(col, justify="right" if col in ("lines", "kg", "EUR") else "left")
    keys = ["kitchen_id", "supplier_name", "channel", "order_by_date", "order_by_time"]
    for key, sub in orders.groupby(keys, sort=True):
        k, s, ch, day, hour = (str(x) for x in key)
        t.add_row(
            k, s, ch, f"{day} {hour}".strip(), str(len(sub)),
            fmt(float(sub["quantity_kg"].sum())), fmt(float(sub["value_eur"].sum()), 2),
        )  # fmt: skip
    console.print(t)
    sm = outcome.summary()
    console.print(
        f"{sm['kitchens_ordering']} kitchens order from {fmt(sm['suppliers_per_kitchen'])} "
        f"suppliers each on average; {sm['producers_preparing']} producers prepare; "
        f"{sm['fixed_orders']} orders already sent kept, {sm['availability_rows']} availability "
        "rows used"
    )
    r = outcome.outcome.rounds
    if r is not None:
        rs = r.result.summary
        console.print(
            f"platform round: {rs.routes} route(s), {fmt(rs.distance_km)} km, "
            f"{rs.orders_served} orders served, {rs.orders_unassigned} explained"
        )
    verdict = "[green]no violation" if outcome.ok else "[red]violations found"
    console.print(f"independent checks (plan, week, round): {verdict}")
