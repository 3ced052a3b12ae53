"""Benchmark: the platform's rounds options (cold room, second trip, fleet file) on demo weeks.

Usage::

    uv run python benchmarks/rounds_options_demo.py [--scenario SPEC ...] [--plan DIR ...]
        [--orders CSV ...] [--year] [--time-limit-s 10] [--plan-time-limit-s S] [--fleet FILE]
        [--cold-room CLASS=KG ...] [--max-storage-h CLASS=H ...] [--reload-min 30] [--seed 0]

1. **The orders**, each platform's, built the way the product builds them:

   * ``--scenario`` (default: the demo territory ``scenarios/baronnies`` and its Drôme depot
     variant ``scenarios/baronnies+variants/drome_depot.toml``) is planned as ``racines plan``
     plans it (:func:`app.services.plan_territory`: sourcing, the platforms' rounds, the
     sourcing again with the logistics priced by the rounds; ``--year``: the school year, as
     ``racines plan --year``, of which each platform's busiest week is kept); ``--plan`` reads
     a folder written by ``racines plan --out`` back. Each platform's orders are the final
     plan's lines as :func:`app.services.rounds_problems_from_plan` groups them (one order
     per producer, kitchen, day and cold-chain class; the platform's depot, vans, service
     times and catchment);
   * ``--orders`` (default: the web page's model orders on the demo territory,
     ``app/web/static/modeles/commandes_exemple.csv``, hand-written: 10 orders on Tuesday
     2 September 2025 and one on the Wednesday) is read as ``racines rounds ORDERS`` reads it.

2. **The variants**: the same orders solved by :func:`solver.rounds.solve_rounds` (direct
   mode, ``--time-limit-s`` of CPU time each, so that a loaded machine gets the same search;
   fixed seed):

   * (a) the platform's vans as configured (``vans.csv``), least cost: the baseline;
   * (b) + the depot's cold room (``--cold-room``, ``--max-storage-h``): an order may be
     collected the day before and stored overnight when the engine finds that it saves cost;
   * (c) + a second trip per van (``max_trips = 2``, ``--reload-min`` at the depot);
   * (d) both;
   * (e) the fleet file ``--fleet`` (default ``scenarios/baronnies/rounds/fleet_ep.csv``: two
     vans with a fixed cost per van-day), least cost, and (f) the same with the
     ``fewest_vans`` objective: how many vans against how many km;
   * (ref) every order stored overnight, solved as two problems with the configured vans
     (farms -> depot on the day before, depot -> kitchens on the day): not a product option,
     the yardstick of what the cold room could give. Its stored kg per class and longest
     storage are printed, not enforced.

3. **The table**, per variant: orders served and explained (by reason), vans, van-days, trips,
   km, hours, fixed and total EUR of the rounds, the fallback EUR of the orders not served,
   the total with it and its ratio to (a), EUR of rounds per kg served, orders stored
   overnight, and the checkers: the result's own ``check`` and a re-check by
   :func:`solver.evaluation.check_rounds`. Below it, (a)'s heaviest load on board against
   the vans' capacity (a second trip can only pay when a trip would otherwise overflow).

**Comparing variants that serve different orders.** An order the rounds do not serve still has
to reach its kitchen. The product prices that the way its sourcing model prices a producer's own
drop (``solver/sourcing/data.py``, "Logistics estimate"): a round trip farm -> kitchen,
``2 * drive_h * eur_per_hour + 2 * drive_h * speed_kmh * eur_per_km`` at the rates of the
scenario's first platform's first van, one drop per producer, kitchen and day (the orders of
both cold-chain classes of a pair share it). ``total + fallback`` is the cost of getting the
same orders to the same kitchens in every variant.

Bar (the platform's options issue): on some week, (b) and (c) each cost less (total +
fallback) than (a), and every variant passes both checkers; the last line says whether it
holds, and the exit code is 1 when it does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app import cycle, services
from app.commands.plan import YEAR_TIME_LIMIT_S, school_year_n_weeks
from app.fleet_file import read_fleet_csv
from solver.core import Scenario, SolveParams
from solver.evaluation import check_rounds
from solver.rounds import (
    ColdRoom,
    Order,
    RoundsProblem,
    RoundsResult,
    Vehicle,
    previous_day,
    solve_rounds,
)

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "baronnies"
DEFAULT_SCENARIOS = (str(DEMO), f"{DEMO}+variants/drome_depot.toml")
DEFAULT_FLEET = DEMO / "rounds" / "fleet_ep.csv"
DEFAULT_ORDERS = ROOT / "app" / "web" / "static" / "modeles" / "commandes_exemple.csv"


@dataclass
class Week:
    """One platform's orders of a plan, with what the fallback valuation needs."""

    label: str
    problem: RoundsProblem
    scenario: Scenario


@dataclass
class Row:
    """One variant's figures (a solve, or the two solves of the by-hand overnight)."""

    label: str
    results: list[tuple[RoundsProblem, RoundsResult]]
    served: set[str]
    reasons: Counter[str]
    overnight: int = 0

    def total(self, field: str) -> float:
        return float(sum(getattr(r.summary, field) for _, r in self.results))

    @property
    def checks(self) -> str:
        own = all(r.check is not None and r.check.ok for _, r in self.results)
        again = all(check_rounds(p, r).ok for p, r in self.results)
        return f"{'ok' if own else 'FAIL'}/{'ok' if again else 'FAIL'}"


def _class_values(items: Sequence[str]) -> dict[str, float]:
    """``CLASS=VALUE`` pairs (``chilled=500``)."""
    out = {}
    for item in items:
        cold, _, value = item.partition("=")
        out[cold.strip().lower()] = float(value)
    return out


# ---------------------------------------------------------------------------------- orders
def _plan_weeks(spec: str, time_limit_s: float | None, year: bool) -> list[Week]:
    """Plan ``spec`` as ``racines plan`` does; each platform's orders of the final plan."""
    sc = services.load_scenario(spec)
    base = services.split_scenario_spec(spec)[0]
    n_weeks = None
    limit = time_limit_s or sc.settings.time_limit_s
    if year:
        n_weeks = school_year_n_weeks(
            sc.settings.start_date, {c.school_zone.value for c in sc.canteens}
        )
        limit = time_limit_s or max(sc.settings.time_limit_s, YEAR_TIME_LIMIT_S)
    t0 = time.perf_counter()
    outcome = services.plan_territory(
        sc,
        params=SolveParams(time_limit_s=limit, seed=sc.settings.seed),
        weeks=n_weeks,
        base_dir=base if base.is_dir() else base.parent,
    )
    name = Path(spec).name.replace(".toml", "")
    print(
        f"plan of {name}: {len(outcome.territory.weeks)} weeks, sourcing {limit:.0f} s, "
        f"{outcome.sourcing.status}, checker {'ok' if outcome.ok else 'VIOLATIONS'}, "
        f"{time.perf_counter() - t0:.0f} s"
    )
    problems = services.rounds_problems_from_plan(outcome.territory, outcome.plan)
    return _weeks(name, problems, sc, busiest=year)


def _folder_weeks(folder: Path, busiest: bool) -> list[Week]:
    """Each platform's orders of a plan folder written by ``racines plan --out``."""
    pf = cycle.read_plan_folder(folder)
    weeks = pf.plan.weeks
    territory = services.prepare(pf.scenario, weeks=len(weeks), start=weeks[0], base_dir=DEMO)
    problems = services.rounds_problems_from_plan(territory, pf.plan)
    print(f"plan folder {folder}: {len(weeks)} weeks from {weeks[0].isoformat()}")
    return _weeks(folder.name, problems, pf.scenario, busiest=busiest)


def _orders_weeks(path: Path) -> list[Week]:
    """The orders of an orders CSV on the demo territory, as ``racines rounds`` reads them."""
    sc = services.load_scenario(DEMO)
    lines = services.read_orders_csv(path, sc)
    matrix = services.travel_matrix(sc, base_dir=DEMO)
    problem = services.build_rounds_problem(sc, matrix, lines)
    days = len({o.day for o in problem.orders})
    kg = sum(o.kg for o in problem.orders)
    label = f"orders file {path.name}, {days} day(s), {len(problem.orders)} orders, {kg:.0f} kg"
    return [Week(label, problem, sc)]


def _monday(day: str) -> dt.date:
    d = dt.date.fromisoformat(day)
    return d - dt.timedelta(days=d.weekday())


def _weeks(
    name: str, problems: dict[str, RoundsProblem], sc: Scenario, *, busiest: bool
) -> list[Week]:
    """One :class:`Week` per platform (all its weeks; ``busiest``: its heaviest week only)."""
    out = []
    for pid, problem in problems.items():
        orders = problem.orders
        what = f"{len({o.day for o in orders})} round day(s)"
        if busiest:
            kg: dict[dt.date, float] = defaultdict(float)
            for o in orders:
                kg[_monday(o.day)] += o.kg
            top = max(kg, key=lambda w: kg[w])
            orders = tuple(o for o in orders if _monday(o.day) == top)
            problem = replace(problem, orders=orders)
            what = f"busiest week {top.isoformat()}"
        kg_total = sum(o.kg for o in orders)
        out.append(
            Week(f"{name} / {pid}, {what}, {len(orders)} orders, {kg_total:.0f} kg", problem, sc)
        )
    return out


# -------------------------------------------------------------------------------- variants
def _solve(
    problem: RoundsProblem, limit_s: float, seed: int, objective: str = "cost"
) -> RoundsResult:
    return solve_rounds(
        problem,
        time_limit_s=limit_s,
        seed=seed,
        objective="fewest_vans" if objective == "fewest_vans" else "cost",
        clock="cpu",
    )


def _row(label: str, problem: RoundsProblem, result: RoundsResult) -> Row:
    served = {o.id for o in problem.orders} - {u.order_id for u in result.unassigned}
    reasons = Counter(u.reason_code for u in result.unassigned)
    return Row(label, [(problem, result)], served, reasons, len(result.overnight))


def _trips(problem: RoundsProblem, trips: int) -> RoundsProblem:
    return replace(problem, vehicles=tuple(replace(v, max_trips=trips) for v in problem.vehicles))


def _by_hand_overnight(problem: RoundsProblem, limit_s: float, seed: int) -> Row:
    """Every order collected the day before into the depot, delivered from it on its day:
    two problems (farms -> depot on the day before, depot -> kitchens on the day)."""
    depot = problem.vehicles[0].depot_site_id
    collect = tuple(
        replace(o, delivery_site_id=depot, day=previous_day(o.day) or o.day) for o in problem.orders
    )
    deliver = tuple(replace(o, pickup_site_id=depot) for o in problem.orders)
    p1, p2 = replace(problem, orders=collect), replace(problem, orders=deliver)
    r1, r2 = _solve(p1, limit_s / 2, seed), _solve(p2, limit_s / 2, seed)
    out1 = {u.order_id: u.reason_code for u in r1.unassigned}
    out2 = {u.order_id: u.reason_code for u in r2.unassigned}
    served = {o.id for o in problem.orders} - set(out1) - set(out2)
    reasons = Counter({**out2, **out1}.values())
    return Row("(ref) all overnight, by hand", [(p1, r1), (p2, r2)], served, reasons, len(served))


def _fallback_eur(week: Week, unserved: Sequence[Order]) -> float:
    """The sourcing model's price of the producers' own drops for ``unserved`` (module
    docstring): a round trip farm -> kitchen per producer, kitchen and day."""
    sc, p = week.scenario, week.problem
    vans = [v for pf in sc.platforms for v in pf.vans][:1]
    rate_h = vans[0].cost_eur_per_hour if vans else Vehicle("", 1, "").cost_eur_per_hour
    rate_km = vans[0].cost_eur_per_km if vans else Vehicle("", 1, "").cost_eur_per_km
    speed = sc.settings.travel.speed_kmh
    drops = {(o.pickup_site_id, o.delivery_site_id, o.day) for o in unserved}
    eur = 0.0
    for farm, kitchen, _ in drops:
        drive_h = float(p.matrix_seconds[p.index(farm), p.index(kitchen)]) / 3600.0
        eur += 2.0 * drive_h * rate_h + 2.0 * drive_h * speed * rate_km
    return eur


def run_week(week: Week, args: argparse.Namespace, fleet: list[Vehicle] | None) -> list[Row]:
    """Solve the variants of one platform's orders."""
    p, lim, seed = week.problem, args.time_limit_s, args.seed
    room = ColdRoom(_class_values(args.cold_room), _class_values(args.max_storage_h))
    cold = replace(p, cold_room=room)
    reload_s = int(round(args.reload_min * 60))
    rows = [
        _row("(a) vans as configured", p, _solve(p, lim, seed)),
        _row("(b) + cold room", cold, _solve(cold, lim, seed)),
        _row(
            "(c) + second trip", q := replace(_trips(p, 2), reload_s=reload_s), _solve(q, lim, seed)
        ),
        _row("(d) + both", q := replace(_trips(cold, 2), reload_s=reload_s), _solve(q, lim, seed)),
    ]
    if fleet:
        depot = p.vehicles[0].depot_site_id
        q = replace(p, vehicles=tuple(replace(v, depot_site_id=depot) for v in fleet))
        rows.append(_row("(e) fleet file, cost", q, _solve(q, lim, seed)))
        rows.append(_row("(f) fleet file, fewest_vans", q, _solve(q, lim, seed, "fewest_vans")))
    rows.append(_by_hand_overnight(p, lim, seed))
    return rows


# ----------------------------------------------------------------------------------- table
def print_week(week: Week, rows: list[Row]) -> dict[str, float]:
    """Print one platform's table; returns each variant's total + fallback EUR."""
    orders = {o.id: o for o in week.problem.orders}
    print(f"\n{week.label}")
    head = (
        f"{'variant':<30} {'served':>6} {'explained':<22} {'vans':>4} {'v-days':>6} "
        f"{'trips':>5} {'km':>7} {'hours':>6} {'fixed':>6} {'total':>7} {'fallbk':>7} "
        f"{'tot+fb':>7} {'ratio':>6} {'EUR/kg':>6} {'night':>5} {'checks':>7}"
    )
    print(head)
    print("-" * len(head))
    out: dict[str, float] = {}
    base = None
    for row in rows:
        unserved = [o for oid, o in orders.items() if oid not in row.served]
        fallback = _fallback_eur(week, unserved)
        total = row.total("cost_eur")
        base = base or total + fallback
        kg = sum(orders[oid].kg for oid in row.served)
        explained = ", ".join(f"{n} {code}" for code, n in sorted(row.reasons.items())) or "-"
        vans = len({r.vehicle_id for _, res in row.results for r in res.routes})
        print(
            f"{row.label:<30} {len(row.served):>6} {explained:<22} {vans:>4} "
            f"{row.total('van_days'):>6.0f} {row.total('routes'):>5.0f} "
            f"{row.total('distance_km'):>7.1f} {row.total('hours'):>6.2f} "
            f"{row.total('fixed_cost_eur'):>6.0f} {total:>7.2f} {fallback:>7.2f} "
            f"{total + fallback:>7.2f} {(total + fallback) / base:>6.3f} "
            f"{total / kg if kg else 0:>6.2f} {row.overnight:>5} {row.checks:>7}"
        )
        out[row.label] = total + fallback
    a, ref = rows[0].results[0], rows[-1]
    heaviest = max((s.load_kg for r in a[1].routes for s in r.steps), default=0.0)
    print(
        f"(a)'s heaviest load on board: {heaviest:.1f} kg, vans of "
        f"{', '.join(f'{v.capacity_kg:.0f}' for v in a[0].vehicles)} kg; (ref) stores "
        + ", ".join(f"{kg:.1f} kg {cold}" for cold, kg in sorted(_stored_kg(ref, orders).items()))
        + f", at most {_longest_storage_h(ref):.1f} h"
    )
    return out


def _stored_kg(ref: Row, orders: dict[str, Order]) -> dict[str, float]:
    """Kg per cold-chain class the by-hand overnight stores in the cold room."""
    kg: dict[str, float] = defaultdict(float)
    for oid in ref.served:
        kg[orders[oid].cold_chain] += orders[oid].kg
    return kg


def _longest_storage_h(ref: Row) -> float:
    """Hours from an order's drop at the depot to the start of its delivery route."""
    (p1, r1), (_, r2) = ref.results
    depot = p1.vehicles[0].depot_site_id
    drop = {o: s.departure_s for r in r1.routes for s in r.steps if s.site_id == depot
            for o in s.order_ids if s.type == "delivery"}  # fmt: skip
    load = {o: r.steps[0].departure_s for r in r2.routes for s in r.steps for o in s.order_ids}
    hours = [(24 * 3600 + load[o] - drop[o]) / 3600 for o in ref.served if o in drop and o in load]
    return max(hours, default=0.0)


def main(argv: list[str] | None = None) -> int:
    """Print the tables; exit 1 unless the bar holds (module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", action="append", default=None, help="Scenario to plan.")
    ap.add_argument("--plan", action="append", type=Path, default=[], help="Plan folder.")
    ap.add_argument("--orders", action="append", type=Path, default=[], help="Orders CSV.")
    ap.add_argument("--year", action="store_true", help="School year; its busiest week.")
    ap.add_argument("--plan-time-limit-s", type=float, default=None)
    ap.add_argument("--time-limit-s", type=float, default=10.0, help="CPU s per variant.")
    ap.add_argument("--fleet", type=Path, default=DEFAULT_FLEET)
    ap.add_argument("--cold-room", action="append", default=None)
    ap.add_argument("--max-storage-h", action="append", default=None)
    ap.add_argument("--reload-min", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    args.cold_room = args.cold_room or ["chilled=500", "ambient=500"]
    args.max_storage_h = args.max_storage_h or ["chilled=36", "ambient=48"]
    if not (args.scenario or args.plan or args.orders):
        args.scenario, args.orders = list(DEFAULT_SCENARIOS), [DEFAULT_ORDERS]
    specs = args.scenario or []
    weeks = [w for f in args.orders for w in _orders_weeks(f)]
    weeks += [w for f in args.plan for w in _folder_weeks(f, args.year)]
    weeks += [w for s in specs for w in _plan_weeks(s, args.plan_time_limit_s, args.year)]
    print(
        f"\nvariants: {args.time_limit_s:g} s of CPU each, seed {args.seed}; cold room "
        f"{', '.join(args.cold_room)} kg, storage {', '.join(args.max_storage_h)} h; reload "
        f"{args.reload_min:g} min; fleet file {args.fleet.name if args.fleet else '-'}"
    )
    saves: dict[str, bool] = {"(b) + cold room": False, "(c) + second trip": False}
    checked = True
    for week in weeks:
        fleet = (
            read_fleet_csv(args.fleet, week.problem.vehicles[0].depot_site_id)
            if args.fleet
            else None
        )
        rows = run_week(week, args, fleet)
        totals = print_week(week, rows)
        checked = checked and all(r.checks == "ok/ok" for r in rows)
        base = totals["(a) vans as configured"]
        for label in saves:
            saves[label] = saves[label] or totals[label] < base - 0.005
    print(
        "\ncolumns: explained = orders not served, by reason; v-days = van-days; trips = routes; "
        "fixed / total = EUR of the rounds (fixed = fixed cost per van-day); fallbk = the "
        "sourcing model's price of the producers' own drops for the orders not served; "
        "ratio = tot+fb / (a)'s; EUR/kg = rounds EUR per kg served; night = orders stored "
        "overnight; checks = the result's check / solver.evaluation.check_rounds"
    )
    ok = all(saves.values()) and checked
    print(
        f"bar: cold room saves cost on a week: {saves['(b) + cold room']}; second trip saves "
        f"cost on a week: {saves['(c) + second trip']}; every variant passes both checkers: "
        f"{checked}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
