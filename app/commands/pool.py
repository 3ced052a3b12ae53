"""``racines pool GROUP ORDER [SCENARIO]``: can a producer group honour an order together?"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from app import services
from app.paths import DEMO_SCENARIO
from app.provenance import provenance_text, stamp_files
from app.render import console, err_console, fmt, print_problems
from solver.core import ScenarioError
from solver.pooling import PoolingAnswer, answer_to_json


def register(cli: typer.Typer) -> None:
    """Add the ``pool`` command."""

    @cli.command("pool")
    def pool_cmd(
        group: Annotated[
            str,
            typer.Argument(
                help="Group: a CSV with a producer_id column, a producers.csv group name, "
                "or comma-separated producer ids."
            ),
        ],
        order: Annotated[
            Path, typer.Argument(help="Order TOML (see solver/pooling/pooling_model.py).")
        ],
        scenario: Annotated[Path, typer.Argument(help="Scenario folder or JSON.")] = DEMO_SCENARIO,
        rule: Annotated[
            str | None,
            typer.Option(help="proportional, balanced or fewest_members (default: the file's)."),
        ] = None,
        out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out/pool"),
        time_limit_s: Annotated[float, typer.Option(help="Rounds engine time limit, s.")] = 2.0,
        seed: Annotated[int, typer.Option(help="Engine seed.")] = 0,
    ) -> None:
        """Verdict week by week, who supplies what, routes, money, and what would make it work."""
        try:
            outcome = services.pooling_check(
                group, order, scenario, rule=rule, time_limit_s=time_limit_s, seed=seed
            )
        except ScenarioError as exc:
            print_problems(exc)
            raise typer.Exit(1) from None
        except (ValueError, KeyError) as exc:
            err_console.print(f"[red]{order}: {exc}")
            raise typer.Exit(1) from None
        written = write_pooling_outputs(outcome, out)
        print_answer(outcome.answer, outcome.inputs)
        console.print(f"wrote {', '.join(written)} to [bold]{out}[/]")
        check = outcome.answer.check
        if check is None or not check.ok:
            err_console.print("[red]the independent pooling checker found violations")
            raise typer.Exit(3)


def allocation_frame(answer: PoolingAnswer) -> pd.DataFrame:
    """One row per week x product x member (units, kg, prices, revenue)."""
    return pd.DataFrame(
        [
            {
                "week_start": r.week_start.isoformat(),
                "product_id": r.product_id,
                "producer_id": r.producer_id,
                "qty": round(r.qty, 3),
                "qty_per_delivery": round(r.qty_per_delivery, 3),
                "deliveries": r.deliveries,
                "capacity": r.capacity,
                "kg": round(r.kg, 3),
                "producer_price_eur_per_unit": r.producer_price_eur_per_unit,
                "kitchen_price_eur_per_unit": round(r.kitchen_price_eur_per_unit, 4),
                "revenue_eur": round(r.revenue_eur, 2),
            }
            for r in answer.allocation
        ],
        columns=[
            "week_start",
            "product_id",
            "producer_id",
            "qty",
            "qty_per_delivery",
            "deliveries",
            "capacity",
            "kg",
            "producer_price_eur_per_unit",
            "kitchen_price_eur_per_unit",
            "revenue_eur",
        ],
    )


def _trips_geojson(outcome: services.PoolingOutcome) -> dict[str, Any]:
    sc = outcome.inputs.scenario
    k = sc.canteen(outcome.inputs.order.kitchen_id)
    feats = []
    for pid in sorted({t.producer_id for t in outcome.answer.trips}):
        p = sc.producer(pid)
        trips = [t for t in outcome.answer.trips if t.producer_id == pid]
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[p.lon, p.lat], [k.lon, k.lat]]},
                "properties": {
                    "producer_id": pid,
                    "trips": len(trips),
                    "drive_s": trips[0].drive_s,
                    "kg": round(sum(t.kg for t in trips), 3),
                    "estimated": outcome.answer.estimated,
                },
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def write_pooling_outputs(outcome: services.PoolingOutcome, folder: Path) -> dict[str, Path]:
    """``pooling.json``, ``allocation.csv``, ``weeks.csv`` and the routes (GeoJSON, map)."""
    a: PoolingAnswer = outcome.answer
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    data = answer_to_json(a)
    data["synthetic"] = outcome.inputs.scenario.settings.synthetic
    (folder / "pooling.json").write_text(json.dumps(data, indent=1, default=str))
    written["pooling.json"] = folder / "pooling.json"
    allocation_frame(a).to_csv(folder / "allocation.csv", index=False)
    written["allocation.csv"] = folder / "allocation.csv"
    pd.DataFrame(data["weeks"]).to_csv(folder / "weeks.csv", index=False)
    written["weeks.csv"] = folder / "weeks.csv"
    provenance = provenance_text(
        synthetic=outcome.inputs.scenario.settings.synthetic,
        estimated=a.estimated,
        travel_source=a.travel_source,
    )
    stamp_files([written["allocation.csv"], written["weeks.csv"]], provenance)
    if a.rounds_result is not None and a.rounds_problem is not None:
        rounds = services.RoundsOutcome(a.rounds_problem, a.rounds_result)
        scenario = outcome.inputs.scenario
        written.update(services.write_rounds_outputs(rounds, folder, scenario))
    elif a.trips:
        gj = _trips_geojson(outcome)
        (folder / "trips.geojson").write_text(json.dumps(gj))
        written["trips.geojson"] = folder / "trips.geojson"
        _trips_map(gj, folder / "map.html")
        written["map.html"] = folder / "map.html"
    return written


def _trips_map(geojson: dict[str, Any], path: Path) -> None:
    """Members' own trips as straight lines farm -> kitchen (folium; tiles load online)."""
    import folium

    pts = [c for f in geojson["features"] for c in f["geometry"]["coordinates"]]
    lats, lons = [p[1] for p in pts] or [0.0], [p[0] for p in pts] or [0.0]
    fmap = folium.Map(location=[sum(lats) / len(lats), sum(lons) / len(lons)], zoom_start=10)
    if pts:
        fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    for f in geojson["features"]:
        (lon0, lat0), (lon1, lat1) = f["geometry"]["coordinates"]
        pr = f["properties"]
        tip = (
            f"{pr['producer_id']}: {pr['trips']} trip(s), {pr['kg']} kg, "
            f"{pr['drive_s'] / 60:.0f} min drive (straight line drawn; ESTIMATED times)"
            if pr["estimated"]
            else f"{pr['producer_id']}: {pr['trips']} trip(s), {pr['kg']} kg"
        )
        folium.PolyLine([[lat0, lon0], [lat1, lon1]], tooltip=tip, weight=3).add_to(fmap)
        folium.CircleMarker([lat0, lon0], radius=6, color="green", tooltip=tip).add_to(fmap)
        folium.CircleMarker([lat1, lon1], radius=8, color="blue", tooltip="kitchen").add_to(fmap)
    fmap.save(str(path))


def _hhmm(s: int) -> str:
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def print_answer(a: PoolingAnswer, inputs: Any) -> None:
    """Verdict, week-by-week table, shortfalls, relaxations, routes and money."""
    colour = "green" if a.feasible else "red"
    console.print(f"[bold {colour}]{a.verdict}[/]")
    console.print(_weeks_table(a, list(inputs.member_ids)))
    if a.shortfalls:
        _print_shortfalls(a)
    if a.relaxations:
        console.print("[bold]smallest changes that would help[/] (each alone):")
        for rx in a.relaxations:
            verdict = "[green]makes it feasible[/]" if rx.closes_gap else "[yellow]helps[/]"
            console.print(
                f"  - {rx.kind} ({rx.reason_code}) = {rx.value:g} {rx.unit}: {verdict}; "
                f"{rx.description}"
            )
    if a.rounds_result is not None:
        console.print(_rounds_table(a))
    elif a.trips:
        console.print(_trips_table(a))
    _print_money_and_check(a, inputs.scenario.settings.synthetic)


def _weeks_table(a: PoolingAnswer, members: list[str]) -> Table:
    """Week by week: deliveries, need, got, kg per member, verdict."""
    kg: dict[tuple[str, str], float] = defaultdict(float)
    for r in a.allocation:
        kg[(r.week_start.isoformat(), r.producer_id)] += r.kg
    prefix = os.path.commonprefix(members) if len(members) > 1 else ""
    heads = [m[len(prefix) :] or m for m in members]
    t = Table(
        title=f"week by week ({a.rule} sharing, {a.mode}); kg per member"
        + (f" ({prefix}...)" if prefix else "")
    )
    t.add_column("week", no_wrap=True, min_width=10)
    for col in ("n", "need", "got", *heads):
        t.add_column(col, justify="right")
    t.add_column("verdict", no_wrap=True)
    for w in a.weeks:
        key = w.week_start.isoformat()
        t.add_row(
            key,
            str(w.deliveries),
            fmt(w.demand_qty),
            fmt(w.allocated_qty),
            *(fmt(kg.get((key, m), 0.0)) for m in members),
            "[green]ok[/]" if w.feasible else f"[red]{', '.join(w.reasons)}[/]",
        )
    return t


def _print_shortfalls(a: PoolingAnswer) -> None:
    """What is missing, per product and reason, with one example each."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for sh in a.shortfalls:
        groups[(sh.product_id or "(delivery)", sh.reason_code)].append(sh)
    s = Table(title="what is missing")
    for col in ("product", "reason", "weeks", "from", "to", "short kg"):
        s.add_column(col)
    for (pid, reason), items in groups.items():
        weeks = sorted({x.week_start for x in items})
        s.add_row(
            pid,
            reason,
            str(len(weeks)),
            weeks[0].isoformat(),
            weeks[-1].isoformat(),
            fmt(sum(x.short_kg for x in items)),
        )
    console.print(s)
    for items in groups.values():
        console.print(f"  e.g. {items[0].detail}")


def _rounds_table(a: PoolingAnswer) -> Table:
    """The collection and delivery rounds, one per delivery pattern."""
    assert a.rounds_result is not None
    days: dict[str, int] = defaultdict(int)
    for label in a.pattern_of_date.values():
        days[label] += 1
    rt = Table(title="collection and delivery rounds (one per delivery pattern)")
    for col in ("pattern", "days", "van", "start", "back", "km", "stops"):
        rt.add_column(col)
    for route in a.rounds_result.routes:
        rt.add_row(
            route.day,
            str(days[route.day]),
            route.vehicle_id,
            _hhmm(route.steps[0].departure_s),
            _hhmm(route.steps[-1].arrival_s),
            fmt(route.distance_m / 1000),
            " > ".join(st.site_id for st in route.steps),
        )
    return rt


def _trips_table(a: PoolingAnswer) -> Table:
    """Members' own trips: the first delivery of each member."""
    first: dict[str, Any] = {}
    for tr in a.trips:
        first.setdefault(tr.producer_id, tr)
    tt = Table(title="members' own trips (first delivery of each)")
    for col in ("member", "leaves", "arrives", "drive min", "km return", "EUR/trip"):
        tt.add_column(col)
    for pid, tr in first.items():
        tt.add_row(
            pid,
            _hhmm(tr.depart_s),
            _hhmm(tr.arrival_s),
            fmt(tr.drive_s / 60),
            fmt(tr.distance_m / 1000),
            fmt(tr.cost_eur, 2),
        )
    return tt


def _print_money_and_check(a: PoolingAnswer, synthetic: bool) -> None:
    """Kg, prices, revenue, logistics, travel source; the checker's verdict."""
    rev = ", ".join(f"{m} {fmt(v, 0)} EUR" for m, v in a.revenue_eur_by_member.items())
    price = ", ".join(f"{p} {v:.2f} EUR/kg" for p, v in a.kitchen_eur_per_kg_by_product.items())
    console.print(
        f"{fmt(a.kg_delivered)} kg supplied; kitchen pays {price or '-'}; revenue: {rev or '-'}; "
        f"logistics {fmt(a.logistics_cost_eur, 0)} EUR = {a.logistics_eur_per_kg:.2f} EUR/kg "
        f"(placeholder van rates); travel times: {a.travel_source}"
        f"{' (ESTIMATED)' if a.estimated else ''}"
    )
    ok = a.check is not None and a.check.ok
    console.print(
        f"independent check: {'[green]ok[/]' if ok else '[red]FAILED[/]'}"
        f"{'; SYNTHETIC scenario figures' if synthetic else ''}; {a.method}; {a.runtime_s:.2f} s"
    )
