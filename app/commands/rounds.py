"""``racines rounds ORDERS [SCENARIO]``: the platform's rounds for a set of orders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from app import services
from rich.table import Table

from app.paths import DEMO_SCENARIO
from app.render import console, err_console, fmt, print_problems
from solver.core import Problem, ScenarioError, Van


def parse_van(text: str) -> Van:
    """``id:capacity_kg[:cold|:ambient]`` -> a van (other fields at their defaults)."""
    parts = text.split(":")
    try:
        return Van(
            id=parts[0],
            capacity_kg=float(parts[1]),
            refrigerated=(parts[2].lower() != "ambient") if len(parts) > 2 else True,
        )
    except (IndexError, ValueError) as exc:
        msg = f"--vans {text!r}: expected id:capacity_kg[:cold|:ambient] ({exc})"
        raise ScenarioError([Problem("--vans", 0, "vans", text, msg)]) from None


def register(cli: typer.Typer) -> None:
    """Add the ``rounds`` command."""

    @cli.command("rounds")
    def rounds_cmd(
        orders: Annotated[
            Path,
            typer.Argument(
                help="Orders CSV (order_id, producer_id, kitchen_id, kg, day[, cold_chain]) "
                "or a VROOM-like rounds JSON."
            ),
        ],
        scenario: Annotated[
            Path, typer.Argument(help="Scenario with the farms, kitchens and platform.")
        ] = DEMO_SCENARIO,
        vans: Annotated[
            list[str] | None,
            typer.Option("--vans", help="Van id:capacity_kg[:cold|:ambient]; repeat for more."),
        ] = None,
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/rounds"),
        time_limit_s: Annotated[float, typer.Option(help="Engine time limit, s.")] = 10.0,
        mode: Annotated[str, typer.Option(help="direct or cross_dock.")] = "direct",
        seed: Annotated[int, typer.Option(help="Engine seed.")] = 0,
    ) -> None:
        """Plan the rounds: routes, times, loads, map, round sheets, unassigned with reasons."""
        from app import services
        from solver.rounds import problem_from_json

        sc = None
        try:
            if orders.suffix.lower() == ".json":
                problem = problem_from_json(json.loads(orders.read_text(encoding="utf-8")))
            else:
                sc = services.load_scenario(scenario)
                lines = services.read_orders_csv(orders, sc)
                base = scenario if scenario.is_dir() else scenario.parent
                matrix = services.travel_matrix(sc, base_dir=base)
                fleet = None if not vans else [parse_van(v) for v in vans]
                problem = services.build_rounds_problem(sc, matrix, lines, vans=fleet)
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            err_console.print(f"[red]{orders}: {exc}")
            raise typer.Exit(1) from None
        outcome = services.plan_rounds(problem, time_limit_s=time_limit_s, seed=seed, mode=mode)
        written = services.write_rounds_outputs(outcome, out, sc)
        _print(outcome)
        console.print(f"wrote {', '.join(written)} to [bold]{out}[/]")
        check = outcome.result.check
        if check is None or not check.ok:
            err_console.print("[red]the independent route checker found violations")
            raise typer.Exit(3)


def _print(outcome: services.RoundsOutcome) -> None:
    r = outcome.result
    for route in r.routes:
        t = Table(title=f"van {route.vehicle_id}, {route.day} ({route.phase})")
        for col in ("arrival", "site", "action", "orders", "load kg", "km"):
            t.add_column(col)
        for st in route.steps:
            t.add_row(
                f"{st.arrival_s // 3600:02d}:{st.arrival_s % 3600 // 60:02d}",
                st.site_id,
                st.type,
                ",".join(st.order_ids),
                fmt(st.load_kg),
                fmt(st.distance_m / 1000),
            )
        console.print(t)
    if r.unassigned:
        t = Table(title="orders not served")
        for col in ("order", "reason", "detail"):
            t.add_column(col)
        for u in r.unassigned:
            t.add_row(u.order_id, u.reason_code, u.detail)
        console.print(t)
    s = r.summary
    console.print(
        f"{s.routes} route(s), {fmt(s.distance_km)} km, {fmt(s.hours)} h, {fmt(s.cost_eur, 0)} EUR,"
        f" {fmt(s.co2_kg, 0)} kg CO2, {fmt(s.kg_per_km)} kg delivered per km; travel times: "
        f"{r.travel_source}{' (ESTIMATED)' if r.estimated else ''}"
    )
