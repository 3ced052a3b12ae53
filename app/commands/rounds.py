"""``racines rounds ORDERS [SCENARIO]``: the platform's rounds for a set of orders."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from app import services
from rich.table import Table

from app.fleet_file import read_fleet_csv
from app.paths import DEMO_SCENARIO
from app.render import console, err_console, fmt, print_problems
from solver.core import Problem, Scenario, ScenarioError, Van
from solver.rounds import ColdRoom, RoundsProblem, Vehicle


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

    # long because typer declares each command-line option as one annotated parameter
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
            typer.Option(
                "--vans",
                help="A fleet file (CSV: id, capacity_kg, refrigerated, fixed_cost_eur per van "
                "and day, cost_eur_per_km, cost_eur_per_hour, shift_start, shift_end, "
                "max_shift_min, max_trips) or van id:capacity_kg[:cold|:ambient], repeated.",
            ),
        ] = None,
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/rounds"),
        time_limit_s: Annotated[float, typer.Option(help="Engine time limit, s.")] = 10.0,
        mode: Annotated[str, typer.Option(help="direct or cross_dock.")] = "direct",
        objective: Annotated[
            str,
            typer.Option(help="cost (least cost) or fewest_vans (fewest vans, then least cost)."),
        ] = "cost",
        max_trips: Annotated[
            int | None,
            typer.Option(help="Trips per van and day, reloading at the depot (default: 1)."),
        ] = None,
        reload_min: Annotated[
            float | None, typer.Option(help="Minutes at the depot between two trips (30).")
        ] = None,
        cold_room: Annotated[
            list[str] | None,
            typer.Option(
                help="CLASS=KG of the depot's cold room (e.g. chilled=400), repeated: orders may "
                "be collected the day before and stored overnight when it saves cost."
            ),
        ] = None,
        max_storage_h: Annotated[
            list[str] | None,
            typer.Option(help="CLASS=HOURS: longest storage in the cold room (no limit)."),
        ] = None,
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
                fleet, vehicles = _fleet(vans, sc)
                problem = services.build_rounds_problem(
                    sc, matrix, lines, vans=fleet, vehicles=vehicles
                )
            problem = _with_options(problem, max_trips, reload_min, cold_room, max_storage_h)
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            err_console.print(f"[red]{orders}: {exc}")
            raise typer.Exit(1) from None
        outcome = services.plan_rounds(
            problem, time_limit_s=time_limit_s, seed=seed, mode=mode, objective=objective
        )
        written = services.write_rounds_outputs(outcome, out, sc)
        _print(outcome)
        console.print(f"wrote {', '.join(written)} to [bold]{out}[/]")
        check = outcome.result.check
        if check is None or not check.ok:
            err_console.print("[red]the independent route checker found violations")
            raise typer.Exit(3)


def _fleet(vans: list[str] | None, sc: Scenario) -> tuple[list[Van] | None, list[Vehicle] | None]:
    """``--vans``: a fleet file (vehicles based at the platform) or van specs (or neither)."""
    if not vans:
        return None, None
    if len(vans) == 1 and vans[0].lower().endswith(".csv"):
        if not sc.platforms:
            raise ScenarioError([Problem("--vans", 0, "vans", vans[0], "no platform")])
        return None, read_fleet_csv(vans[0], sc.platforms[0].id)
    return [parse_van(v) for v in vans], None


def _class_values(items: list[str] | None, option: str) -> dict[str, float]:
    """``CLASS=VALUE`` pairs of a repeated option."""
    out: dict[str, float] = {}
    for item in items or []:
        cold, _, value = item.partition("=")
        try:
            out[cold.strip().lower()] = float(value)
        except ValueError:
            msg = f"{option} {item!r}: expected CLASS=NUMBER (e.g. chilled=400)"
            raise ScenarioError([Problem(option, 0, option, item, msg)]) from None
    return out


def _with_options(
    problem: RoundsProblem,
    max_trips: int | None,
    reload_min: float | None,
    cold_room: list[str] | None,
    max_storage_h: list[str] | None,
) -> RoundsProblem:
    """The problem with the command line's multi-trip and cold-room settings applied."""
    if max_trips is not None:
        vehicles = tuple(replace(v, max_trips=max_trips) for v in problem.vehicles)
        problem = replace(problem, vehicles=vehicles)
    if reload_min is not None:
        problem = replace(problem, reload_s=int(round(reload_min * 60)))
    if cold_room:
        room = ColdRoom(
            capacity_kg=_class_values(cold_room, "--cold-room"),
            max_storage_h=_class_values(max_storage_h, "--max-storage-h"),
        )
        problem = replace(problem, cold_room=room)
    return problem


def _print(outcome: services.RoundsOutcome) -> None:
    r = outcome.result
    for route in r.routes:
        trip = f", trip {route.trip}" if route.trip > 1 else ""
        t = Table(title=f"van {route.vehicle_id}, {route.day} ({route.phase}{trip})")
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
        f"{s.routes} route(s), {s.van_days} van-day(s), {fmt(s.distance_km)} km, {fmt(s.hours)} h, "
        f"{fmt(s.cost_eur, 0)} EUR (of which fixed {fmt(s.fixed_cost_eur, 0)} EUR),"
        f" {fmt(s.co2_kg, 0)} kg CO2, {fmt(s.kg_per_km)} kg delivered per km; travel times: "
        f"{r.travel_source}{' (ESTIMATED)' if r.estimated else ''}"
    )
