"""Orchestration shared by the CLI and the HTTP service: the only place solver and geodata meet.

A territory plan runs these steps::

    scenario --geodata--> travel matrix --> eligibility (who may supply whom)
             --solver.prepare.demand--> weekly demand and meals
             --solver.sourcing--> purchase plan (logistics priced by an estimate)
             --solver.rounds.routing--> the platform's rounds for the plan's platform orders
             --solver.sourcing--> re-solve with the logistics priced by the rounds
             --solver.rounds.routing--> the rounds of the final plan
             --solver.evaluation.plan_check / indicators / explain--> verdict, indicators, reasons

Every result carries the independent checkers' verdicts and says which travel source it
used (a road network, or the straight-line *estimate*).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from app.provenance import provenance_text, stamp_files
from geodata import Point, TravelMatrix, make_source
from solver.core import (
    Canteen,
    Channel,
    Platform,
    Problem,
    Producer,
    PurchaseLine,
    PurchasePlan,
    Scenario,
    ScenarioError,
    SolveParams,
    Van,
    week_starts,
)
from solver.evaluation import (
    PlanCheck,
    check_plan,
    indicators_table,
    platforms_table,
    regularity_summary,
    regularity_table,
)
from solver.prepare import Eligibility, build_eligibility, meals_per_week, weekly_demand
from solver.reporting import explain
from solver.rounds import (
    Order,
    RoundsProblem,
    RoundsResult,
    Site,
    Vehicle,
    solve_rounds,
    vehicle_from_van,
)
from solver.scenario import load_scenario as _load_folder
from solver.scenario import (
    load_scenario_json,
    load_scenario_variant,
    read_override,
    scenario_to_json,
)
from solver.sourcing import (
    LogisticsOverrides,
    SourcingOptions,
    SourcingResult,
    TaskRunner,
    solve_sourcing,
)

logger = logging.getLogger(__name__)

Progress = Callable[..., None]
"""``progress(fraction, message)`` or ``progress(fraction, message, partial)``, where
``partial`` is the best result so far (a JSON-ready dict)."""

#: Engine seconds given to the rounds of one week inside a territory plan.
ROUNDS_TIME_LIMIT_S_PER_WEEK = 2.0


def _noop(*_args: Any) -> None:
    return None


# --------------------------------------------------------------------------- loading


def load_scenario(source: str | Path | Mapping[str, Any]) -> Scenario:
    """A validated scenario from a folder, a ``.json`` file, its JSON content, or a variant
    (``folder+override.toml[+more.toml]``, or an override file naming its ``base``).

    Raises
    ------
    ScenarioError
        With every problem found (file, row, column, value).
    """
    if isinstance(source, Mapping):
        return load_scenario_json(source)
    path = Path(source)
    if path.is_file() and path.suffix.lower() == ".json":
        return load_scenario_json(path.read_text(encoding="utf-8"))
    base, overrides = split_scenario_spec(source)
    if overrides:
        return load_scenario_variant(base, list(overrides))
    return _load_folder(path)


def split_scenario_spec(spec: str | Path) -> tuple[Path, tuple[Path, ...]]:
    """(base folder, override files) of a scenario argument.

    ``folder`` has no override; ``folder+a.toml+b.toml`` applies ``a.toml`` then ``b.toml``
    (each path as given, else relative to the folder); ``a.toml`` alone names its base
    folder in its ``base`` key, relative to the file.

    Raises
    ------
    ScenarioError
        When an override is not found, or an override given alone names no base.
    """
    text = str(spec)
    path = Path(text)
    if path.exists() and path.suffix.lower() != ".toml":
        return path, ()
    parts = text.split("+")
    if len(parts) > 1 and all(p.lower().endswith(".toml") for p in parts[1:]):
        base = Path(parts[0])
        found = [_override_path(base, p) for p in parts[1:]]
        return base, tuple(found)
    if path.suffix.lower() == ".toml" and path.is_file():
        ov, problems = read_override(path)
        if ov is None or problems:
            raise ScenarioError(problems)
        if not ov.base:
            msg = 'an override given alone names its base folder: base = "<folder>"'
            raise ScenarioError([Problem(path.name, 0, "base", "", msg)])
        return (path.parent / ov.base), (path,)
    return path, ()


def _override_path(base: Path, given: str) -> Path:
    for candidate in (Path(given), base / given):
        if candidate.is_file():
            return candidate
    raise ScenarioError([Problem(given, 0, "", "", "override file not found")])


# --------------------------------------------------------------------------- territory


@dataclass
class Territory:
    """What every job derives from a scenario once: travel times, eligibility, demand."""

    scenario: Scenario
    matrix: TravelMatrix
    eligibility: Eligibility
    weeks: list[dt.date]
    demand: pd.DataFrame
    meals: pd.DataFrame

    @property
    def travel_label(self) -> str:
        """Which travel source was used, and whether it is an estimate."""
        kind = "ESTIMATED drive times" if self.matrix.estimated else "road-network drive times"
        return f"{kind}: {self.matrix.source}"


def travel_matrix(scenario: Scenario, *, base_dir: str | Path = ".") -> TravelMatrix:
    """Drive times between every producer, canteen and platform depot of ``scenario``."""
    located: list[Producer | Canteen | Platform] = [
        *scenario.producers,
        *scenario.canteens,
        *scenario.platforms,
    ]
    ids = [x.id for x in located]
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dup = sorted({i for i in ids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
        raise ScenarioError(
            [
                Problem(
                    "scenario",
                    0,
                    "id",
                    d,
                    "id used by more than one place (producer, canteen, platform)",
                )
                for d in dup
            ]
        )
    source = make_source(scenario.settings.travel, base_dir=base_dir)
    return source.matrix([Point(x.id, x.lat, x.lon) for x in located])


def prepare(
    scenario: Scenario,
    *,
    weeks: int | None = None,
    start: dt.date | None = None,
    base_dir: str | Path = ".",
) -> Territory:
    """Travel matrix, eligibility, weekly demand and meals for ``weeks`` weeks from ``start``.

    Defaults come from the scenario's settings (``start_date``, ``horizon_weeks``).
    """
    settings = scenario.settings
    mondays = week_starts(start or settings.start_date, weeks or settings.horizon_weeks)
    matrix = travel_matrix(scenario, base_dir=base_dir)
    eligibility = build_eligibility(
        scenario,
        matrix.ids,
        matrix.seconds,
        travel_source=matrix.source,
        estimated=matrix.estimated,
    )
    demand = weekly_demand(scenario, weeks=mondays)
    meals = meals_per_week(scenario, weeks=mondays)
    return Territory(scenario, matrix, eligibility, mondays, demand, meals)


# --------------------------------------------------------------------------- rounds


@dataclass(frozen=True)
class RoundsOutcome:
    """A rounds result with its problem (GeoJSON and the map need the sites)."""

    problem: RoundsProblem
    result: RoundsResult

    def to_dict(self) -> dict[str, Any]:
        """VROOM-like routes, unassigned with reasons, summary, check, and GeoJSON."""
        from solver.reporting import to_geojson, to_json

        return {**to_json(self.result), "geojson": to_geojson(self.result, self.problem)}


@dataclass(frozen=True)
class OrderLine:
    """One platform order: ``kg`` of a cold-chain class from a farm to a kitchen on ``day``."""

    order_id: str
    producer_id: str
    kitchen_id: str
    kg: float
    cold_chain: str
    day: str


def build_rounds_problem(
    scenario: Scenario,
    matrix: TravelMatrix,
    orders: Sequence[OrderLine],
    *,
    vans: Sequence[Van] | None = None,
    platform_id: str | None = None,
    vehicles: Sequence[Vehicle] | None = None,
) -> RoundsProblem:
    """A rounds problem for ``orders`` between the scenario's farms and kitchens.

    Farms are open for pickup in their ``pickup_*`` window, kitchens receive in their
    ``receiving_*`` window; the platform's depot, service times and vans (or ``vans``, or
    ``vehicles`` already based at the platform, e.g. from a fleet file) complete it. Drive
    times and distances are the sub-matrix of ``matrix``.
    """
    if not scenario.platforms:
        raise ScenarioError([Problem("platforms.csv", 0, "", "", "the scenario has no platform")])
    platform = next(
        (p for p in scenario.platforms if platform_id in (None, p.id)), scenario.platforms[0]
    )
    sites: dict[str, Site] = {platform.id: Site(platform.id, platform.lat, platform.lon, "depot")}
    service_s = int(platform.service_time_s)
    out = []
    for o in orders:
        p, k = scenario.producer(o.producer_id), scenario.canteen(o.kitchen_id)
        pick = (p.pickup_start_min * 60, p.pickup_end_min * 60)
        recv = (k.receiving_start_min * 60, k.receiving_end_min * 60)
        sites.setdefault(p.id, Site(p.id, p.lat, p.lon, "farm", *pick, service_s))
        sites.setdefault(k.id, Site(k.id, k.lat, k.lon, "kitchen", *recv, service_s))
        out.append(
            Order(
                id=o.order_id,
                pickup_site_id=p.id,
                delivery_site_id=k.id,
                kg=round(o.kg, 3),
                cold_chain=o.cold_chain,  # type: ignore[arg-type]
                day=o.day,
                service_s_per_kg=platform.service_time_s_per_kg,
            )
        )
    sub = matrix.sub(list(sites))
    fleet = platform.vans if vans is None else tuple(vans)
    if vehicles is None:
        vehicles = [vehicle_from_van(v, platform.id) for v in fleet]
    return RoundsProblem(
        sites=tuple(sites.values()),
        orders=tuple(out),
        vehicles=tuple(vehicles),
        matrix_seconds=sub.seconds,
        matrix_metres=sub.metres,
        travel_source=sub.source,
        catchment_s=int(platform.catchment_min * 60),
    )


def rounds_problem_from_plan(
    territory: Territory, plan: PurchasePlan, *, platform_id: str | None = None
) -> RoundsProblem | None:
    """A platform's pickup-and-delivery orders of a plan, one per producer, kitchen, day
    and cold-chain class; ``None`` when the plan sends nothing through it.

    ``platform_id`` picks the platform (default: the first whose round carries a line).
    """
    problems = rounds_problems_from_plan(territory, plan)
    if platform_id is None:
        return next(iter(problems.values()), None)
    return problems.get(platform_id)


def rounds_problems_from_plan(territory: Territory, plan: PurchasePlan) -> dict[str, RoundsProblem]:
    """Each platform's rounds problem for the plan's lines through it, in the scenario's
    order of platforms (platforms carrying nothing are left out)."""
    sc = territory.scenario
    out: dict[str, RoundsProblem] = {}
    for pf in sc.platforms:
        problem = _platform_rounds_problem(territory, plan, pf.id)
        if problem is not None:
            out[pf.id] = problem
    return out


def line_platform(territory: Territory, line: PurchaseLine) -> str:
    """Platform whose round carries a platform line: its own, else its kitchen's, else the
    scenario's first."""
    if line.platform_id:
        return line.platform_id
    pf = territory.eligibility.platform_of(line.kitchen_id)
    return pf or territory.scenario.platforms[0].id


def _platform_rounds_problem(
    territory: Territory, plan: PurchasePlan, platform_id: str
) -> RoundsProblem | None:
    sc = territory.scenario
    if not sc.platforms:
        return None
    lines = [
        ln
        for ln in plan.lines
        if ln.channel is Channel.PLATFORM
        and ln.quantity_kg > 0
        and line_platform(territory, ln) == platform_id
    ]
    if not lines:
        return None
    kg: dict[tuple[str, str, str, str], float] = defaultdict(float)
    for ln in lines:
        day = (ln.delivery_date or ln.week_start).isoformat()
        cold = sc.product(ln.product_id).cold_chain.value
        kg[(ln.supplier_id, ln.kitchen_id, day, cold)] += ln.quantity_kg
    orders = [
        OrderLine(f"o{n + 1:04d}-{p}-{k}-{day}-{cold}", p, k, q, cold, day)
        for n, ((p, k, day, cold), q) in enumerate(sorted(kg.items()))
    ]
    return build_rounds_problem(sc, territory.matrix, orders, platform_id=platform_id)


def read_orders_csv(path: str | Path, scenario: Scenario) -> list[OrderLine]:
    """Read a platform's orders: ``order_id, producer_id, kitchen_id, kg, day[, cold_chain]``.

    ``day`` is a date (``2025-09-02``); ``cold_chain`` defaults to ``chilled``. Every bad
    row is reported at once, naming file, row, column and value.

    Raises
    ------
    ScenarioError
    """
    import csv

    p = Path(path)
    problems: list[Problem] = []
    out: list[OrderLine] = []
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(p.name, 0, "", "", f"cannot read: {exc}")]) from None
    dialect = ";" if text.count(";") > text.count(",") else ","
    reader = csv.DictReader(text.splitlines(), delimiter=dialect)
    need = ("order_id", "producer_id", "kitchen_id", "kg", "day")
    missing = [c for c in need if c not in (reader.fieldnames or [])]
    if missing:
        raise ScenarioError(
            [Problem(p.name, 1, c, "", "required column is missing") for c in missing]
        )
    producers = {x.id for x in scenario.producers}
    canteens = {x.id for x in scenario.canteens}
    for i, row in enumerate(reader, start=2):
        bad = len(problems)
        oid = (row.get("order_id") or "").strip()
        prod = (row.get("producer_id") or "").strip()
        kit = (row.get("kitchen_id") or "").strip()
        if prod not in producers:
            problems.append(Problem(p.name, i, "producer_id", prod, "unknown producer"))
        if kit not in canteens:
            problems.append(Problem(p.name, i, "kitchen_id", kit, "unknown canteen"))
        kg_text = (row.get("kg") or "").strip().replace(",", ".")
        try:
            kg = float(kg_text)
            if not kg > 0:
                raise ValueError
        except ValueError:
            problems.append(Problem(p.name, i, "kg", kg_text, "must be a number > 0"))
            kg = 0.0
        day = (row.get("day") or "").strip()
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            problems.append(Problem(p.name, i, "day", day, "not a date YYYY-MM-DD"))
        cold = (row.get("cold_chain") or "chilled").strip().lower()
        if cold not in ("ambient", "chilled", "frozen"):
            problems.append(
                Problem(p.name, i, "cold_chain", cold, "must be ambient, chilled or frozen")
            )
        if len(problems) == bad:
            out.append(OrderLine(oid or f"row{i}", prod, kit, kg, cold, day))
    if problems:
        raise ScenarioError(problems)
    return out


def plan_rounds(
    problem: RoundsProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    mode: str = "direct",
    objective: str = "cost",
) -> RoundsOutcome:
    """Solve the rounds of ``problem`` (checked by :mod:`solver.evaluation.routing_check`).

    ``objective="fewest_vans"`` frees as many vans as possible before minimising cost.
    """
    result = solve_rounds(
        problem,
        time_limit_s=time_limit_s,
        seed=seed,
        mode="cross_dock" if mode == "cross_dock" else "direct",
        objective="fewest_vans" if objective == "fewest_vans" else "cost",
    )
    return RoundsOutcome(problem, result)


def pickup_costs_from_rounds(outcome: RoundsOutcome) -> dict[tuple[str, dt.date], float]:
    """EUR per platform pickup, per producer and week, priced by the rounds.

    Each day's route cost (km and hours at the vans' rates) is shared equally among the
    farms collected that day: the average cost of a pickup, which the sourcing model then
    weighs against buying elsewhere. (A marginal, detour-based price would be sharper; the
    average keeps the sum of prices equal to the rounds' cost.)
    """
    cost_by_day: dict[str, float] = defaultdict(float)
    farms_by_day: dict[str, set[str]] = defaultdict(set)
    sites = {s.id: s for s in outcome.problem.sites}
    vans = {v.id: v for v in outcome.problem.vehicles}
    for route in outcome.result.routes:
        van = vans[route.vehicle_id]
        cost_by_day[route.day] += (
            van.cost_eur_per_km * route.distance_m / 1000
            + van.cost_eur_per_hour * route.duration_s / 3600
        )
        for step in route.steps:
            site = sites.get(step.site_id)
            if site is not None and site.kind == "farm":
                farms_by_day[route.day].add(site.id)
    out: dict[tuple[str, dt.date], float] = {}
    for day, farms in farms_by_day.items():
        if not farms:
            continue
        monday = dt.date.fromisoformat(day)
        monday -= dt.timedelta(days=monday.weekday())
        for f in farms:
            out[(f, monday)] = cost_by_day[day] / len(farms)
    return out


# --------------------------------------------------------------------------- plans


@dataclass
class PlanOutcome:
    """A purchase plan with everything a user needs to trust and use it."""

    territory: Territory
    sourcing: SourcingResult
    check: PlanCheck
    indicators: pd.DataFrame
    explanations: pd.DataFrame
    rounds: RoundsOutcome | None = None
    iterations: list[dict[str, Any]] = field(default_factory=list)
    kitchens: tuple[str, ...] = ()
    runtime_s: float = 0.0
    regularity: pd.DataFrame | None = None
    #: what a plan folder records to be read back (scenario, horizon, solve settings)
    record: dict[str, Any] = field(default_factory=dict)
    #: every platform's rounds (``rounds`` is the first of them)
    rounds_by_platform: dict[str, RoundsOutcome] = field(default_factory=dict)

    @property
    def plan(self) -> PurchasePlan:
        """The final purchase plan."""
        return self.sourcing.plan

    @property
    def provenance(self) -> str:
        """Synthetic data? Estimated drive times? (the line every export carries)."""
        matrix = self.territory.matrix
        return provenance_text(
            synthetic=self.territory.scenario.settings.synthetic,
            estimated=matrix.estimated,
            travel_source=matrix.source,
        )

    @property
    def all_rounds(self) -> dict[str, RoundsOutcome]:
        """Rounds per platform id (``rounds`` alone when built without the mapping)."""
        if self.rounds_by_platform:
            return self.rounds_by_platform
        if self.rounds is None:
            return {}
        sites = [x for x in self.rounds.problem.sites if x.kind == "depot"]
        return {sites[0].id if sites else "platform": self.rounds}

    @property
    def ok(self) -> bool:
        """Every checker (plan, each platform's rounds) found no violation."""
        rounds_ok = all(
            r.result.check is not None and r.result.check.ok for r in self.all_rounds.values()
        )
        return bool(self.check.ok) and rounds_ok

    def platforms(self) -> pd.DataFrame:
        """Per platform: what its round carries (``solver.evaluation.platforms_table``) and
        its rounds' km, hours, cost, CO2 and orders served / explained (0 without rounds)."""
        table = platforms_table(self.territory.scenario, self.plan)
        rounds = self.all_rounds
        for col, get in (
            ("distance_km", lambda sm: sm.distance_km),
            ("hours", lambda sm: sm.hours),
            ("rounds_cost_eur", lambda sm: sm.cost_eur),
            ("co2_kg", lambda sm: sm.co2_kg),
            ("orders_served", lambda sm: sm.orders_served),
            ("orders_explained", lambda sm: sm.orders_unassigned),
        ):
            table[col] = [
                get(rounds[pid].result.summary) if pid in rounds else 0
                for pid in table["platform_id"]
            ]
        return table

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plan lines, indicators, explanations, verdicts, provenance; ``rounds``
        is the first platform's, ``rounds_by_platform`` every platform's when there are
        several (empty otherwise)."""
        s = self.sourcing
        return {
            "status": s.status,
            "ok": self.ok,
            "kitchens": list(self.kitchens),
            "weeks": [w.isoformat() for w in self.territory.weeks],
            "travel_source": self.territory.matrix.source,
            "travel_estimated": self.territory.matrix.estimated,
            "synthetic_scenario": self.territory.scenario.settings.synthetic,
            "objective_eur": _num(s.objective_eur),
            "food_cost_eur": _num(s.food_cost_eur),
            "logistics_cost_eur": _num(s.logistics_cost_eur),
            "logistics_source": s.plan.logistics_source,
            "lower_bound_eur": _num(s.lower_bound_eur),
            "gap": _num(s.gap),
            "solve_runtime_s": _num(s.runtime_s),
            "runtime_s": _num(self.runtime_s),
            "target_shortfalls": [_plain(t) for t in s.target_shortfalls],
            "hard_infeasibility": _plain(s.hard_infeasibility),
            "iterations": self.iterations,
            "purchase_plan": [ln.model_dump(mode="json") for ln in s.plan.lines],
            "indicators": _records(self.indicators),
            "explanations": _records(self.explanations),
            "check": self.check.to_dict(),
            "rounds": None if self.rounds is None else self.rounds.to_dict(),
            "regularity": _regularity(self.regularity),
            "rounds_by_platform": (
                {k: r.to_dict() for k, r in self.all_rounds.items()}
                if len(self.all_rounds) > 1
                else {}
            ),
        }

    def write_outputs(self, folder: str | Path) -> dict[str, Path]:
        """Write every output file into ``folder``; returns name -> path.

        Every CSV gets a ``provenance`` column; ``macantine_achats.csv`` keeps ma-cantine's
        import format and gets ``macantine_achats.provenance.txt`` (:mod:`app.provenance`).
        """
        from solver.reporting import write_plan_outputs

        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written = dict(
            write_plan_outputs(
                out,
                self.territory.scenario,
                self.plan,
                self.check,
                self.indicators,
                self.explanations,
                demand=self.territory.demand,
            )
        )
        if self.regularity is not None:
            self.regularity.to_csv(out / "regularity.csv", index=False)
            written["regularity.csv"] = out / "regularity.csv"
        for note in stamp_files(written.values(), self.provenance):
            written[note.name] = note
        summary = {
            k: v
            for k, v in self.to_dict().items()
            if k not in ("purchase_plan", "rounds", "rounds_by_platform")
        }
        scenario_json = scenario_to_json(self.territory.scenario)
        (out / SCENARIO_FILE).write_text(scenario_json, encoding="utf-8")
        written[SCENARIO_FILE] = out / SCENARIO_FILE
        summary["plan_folder"] = self.folder_record(scenario_json)
        (out / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
        written["summary.json"] = out / "summary.json"
        if self.territory.scenario.platforms:
            self.platforms().to_csv(out / "platforms.csv", index=False)
            written["platforms.csv"] = out / "platforms.csv"
            stamp_files([written["platforms.csv"]], self.provenance)
        for n, (pid, rounds) in enumerate(self.all_rounds.items()):
            # the first platform's rounds at the top (one platform: as always), the others
            # in a folder each
            where = out if n == 0 else out / f"rounds_{pid}"
            files = write_rounds_outputs(rounds, where, self.territory.scenario)
            prefix = "" if n == 0 else f"rounds_{pid}/"
            written.update({prefix + k: v for k, v in files.items()})
        return written

    def folder_record(self, scenario_json: str) -> dict[str, Any]:
        """What ``summary.json`` records so that the folder can be read back
        (``racines replan``): the scenario (its file in the folder, where it was read from,
        its SHA-256), the weeks planned and how the plan was made."""
        import hashlib

        t = self.territory
        return {
            "format": PLAN_FOLDER_FORMAT,
            "plan_file": "purchase_plan.csv",
            "scenario_file": SCENARIO_FILE,
            "scenario_name": t.scenario.settings.name,
            "scenario_sha256": hashlib.sha256(scenario_json.encode("utf-8")).hexdigest(),
            "start_date": t.weeks[0].isoformat() if t.weeks else None,
            "n_weeks": len(t.weeks),
            **self.record,
        }


#: File of a plan folder holding the scenario the plan was made for (JSON form).
SCENARIO_FILE = "scenario.json"
#: Version of what ``summary.json`` records of a plan folder (``plan_folder``).
PLAN_FOLDER_FORMAT = 1


def _regularity(table: pd.DataFrame | None) -> dict[str, Any] | None:
    """The regularity indicators' territory summary (producers, orders a month, CV)."""
    if table is None:
        return None
    return {k: _num(v) for k, v in regularity_summary(table).items()}


def write_rounds_outputs(
    outcome: RoundsOutcome, folder: str | Path, scenario: Scenario | None = None
) -> dict[str, Path]:
    """``routes.json``, ``routes.geojson``, ``map.html`` and ``round_sheets/`` in ``folder``.

    The round sheets (CSV) carry a ``provenance`` column (synthetic when ``scenario`` says
    so, estimated drive times when the result's are).
    """
    from solver.reporting import to_geojson, to_json, to_map_html, write_round_sheets

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "routes.json").write_text(json.dumps(to_json(outcome.result), indent=1, default=str))
    (out / "routes.geojson").write_text(
        json.dumps(to_geojson(outcome.result, outcome.problem), default=str)
    )
    to_map_html(outcome.result, outcome.problem, out / "map.html")
    sheets = write_round_sheets(outcome.result, outcome.problem, out / "round_sheets")
    provenance = provenance_text(
        synthetic=None if scenario is None else scenario.settings.synthetic,
        estimated=outcome.result.estimated,
        travel_source=outcome.result.travel_source,
    )
    stamp_files(sheets, provenance)
    return {
        "routes.json": out / "routes.json",
        "routes.geojson": out / "routes.geojson",
        "map.html": out / "map.html",
        "round_sheets": out / "round_sheets",
    }


def _finish(
    territory: Territory,
    sourcing: SourcingResult,
    *,
    rounds: dict[str, RoundsOutcome] | None,
    iterations: list[dict[str, Any]],
    kitchens: Sequence[str],
    t0: float,
    restrict: bool = False,
) -> PlanOutcome:
    t, sc = territory, territory.scenario
    only = list(kitchens) if restrict else None
    check = check_plan(sc, t.demand, t.meals, t.eligibility, sourcing.plan, kitchens=only)
    table = check.indicators_table
    if table is None:
        table = indicators_table(sc, sourcing.plan, t.meals, kitchens=only)
    reasons = explain(sc, t.demand, t.meals, t.eligibility, sourcing.plan, kitchens=only)
    if not check.ok:
        logger.warning("plan checker: %d violation(s)", len(check.violations))
    return PlanOutcome(
        regularity=regularity_table(sc, sourcing.plan),
        territory=t,
        sourcing=sourcing,
        check=check,
        indicators=table,
        explanations=reasons,
        rounds=next(iter(rounds.values()), None) if rounds else None,
        rounds_by_platform=dict(rounds or {}),
        iterations=iterations,
        kitchens=tuple(kitchens),
        runtime_s=time.perf_counter() - t0,
    )


def finish_plan(
    territory: Territory,
    sourcing: SourcingResult,
    *,
    rounds: Mapping[str, RoundsOutcome] | None,
    kitchens: Sequence[str],
    t0: float,
    iterations: list[dict[str, Any]] | None = None,
) -> PlanOutcome:
    """A territory plan's outcome: the independent check, indicators, regularity and
    explanations of ``sourcing``'s plan (``t0``: when the job started,
    ``time.perf_counter()``)."""
    return _finish(
        territory,
        sourcing,
        rounds=dict(rounds or {}),
        iterations=iterations or [],
        kitchens=kitchens,
        t0=t0,
    )


def propose(
    scenario: Scenario,
    canteen_id: str,
    *,
    weeks: int | None = None,
    start: dt.date | None = None,
    params: SolveParams,
    progress: Progress | None = None,
    base_dir: str | Path = ".",
) -> PlanOutcome:
    """A cook's sourcing proposal for one canteen (its purchasing kitchen) over ``weeks``.

    The whole weekly capacity of every offer is available to this kitchen: the proposal
    does not know what other kitchens buy (the territory plan does).

    Raises
    ------
    ScenarioError
        When ``canteen_id`` is not a canteen of the scenario.
    """
    t0 = time.perf_counter()
    report = progress or _noop
    try:
        canteen = scenario.canteen(canteen_id)
    except KeyError:
        known = ", ".join(c.id for c in scenario.canteens[:30])
        raise ScenarioError(
            [Problem("canteens.csv", 0, "id", canteen_id, f"unknown canteen (known: {known})")]
        ) from None
    kitchen = canteen.purchasing_kitchen_id
    report(0.05, "travel times, demand")
    # Only this kitchen's canteens eat in a proposal: demand, meals and travel times are
    # computed for them alone (offers' whole capacity stays available to the kitchen).
    mine = tuple(c for c in scenario.canteens if c.purchasing_kitchen_id == kitchen)
    ids = {c.id for c in mine}
    scenario = scenario.model_copy(
        update={
            "canteens": mine,
            "direct_demand": tuple(d for d in scenario.direct_demand if d.canteen_id in ids),
        }
    )
    territory = prepare(scenario, weeks=weeks, start=start, base_dir=base_dir)
    report(0.2, f"sourcing model for {kitchen}")
    sourcing = solve_sourcing(
        scenario,
        territory.demand,
        territory.meals,
        territory.eligibility,
        params=params,
        kitchens=[kitchen],
        progress=lambda f, m: report(0.2 + 0.7 * f, m),
    )
    report(0.95, "independent check")
    outcome = _finish(
        territory, sourcing, rounds=None, iterations=[], kitchens=[kitchen], t0=t0, restrict=True
    )
    report(1.0, "done")
    return outcome


def plan_territory(
    scenario: Scenario,
    *,
    params: SolveParams,
    weeks: int | None = None,
    start: dt.date | None = None,
    progress: Progress | None = None,
    base_dir: str | Path = ".",
    with_rounds: bool = True,
    rounds_time_limit_s: float = ROUNDS_TIME_LIMIT_S_PER_WEEK,
    options: SourcingOptions | None = None,
    runner: TaskRunner | None = None,
) -> PlanOutcome:
    """The territory's plan: all kitchens, the platform's rounds, logistics fed back once.

    The first sourcing solve prices logistics with an estimate; the rounds of its platform
    orders then price each pickup (:func:`pickup_costs_from_rounds`) and the sourcing model
    is solved again with those prices; the rounds are re-planned for the final plan. Both
    solves are reported in ``iterations``. ``options`` are the weekly cycle's (ordering
    costs, default the scenario's settings; orders already sent kept fixed). ``runner``
    runs the sourcing's independent solves (a Dask cluster, :mod:`app.cluster`; default
    the solver's own threads).
    """
    t0 = time.perf_counter()
    report = progress or _noop
    report(0.02, "travel times, demand")
    territory = prepare(scenario, weeks=weeks, start=start, base_dir=base_dir)
    n_weeks = len(territory.weeks)
    share = 0.45 if with_rounds else 0.85

    def solve(overrides: LogisticsOverrides | None, lo: float) -> SourcingResult:
        return solve_sourcing(
            scenario,
            territory.demand,
            territory.meals,
            territory.eligibility,
            params=params,
            progress=lambda f, m: report(lo + share * f / (2 if with_rounds else 1), m),
            logistics_cost_overrides=overrides,
            options=options,
            runner=runner,
        )

    report(0.05, "sourcing model (logistics estimated)")
    first = solve(None, 0.05)
    iterations = [_iteration("estimate", first)]
    report(0.3, "plan with estimated logistics (best so far)", _best_so_far(first))
    rounds: dict[str, RoundsOutcome] = {}
    sourcing = first
    if with_rounds:
        limit_s = rounds_time_limit_s * n_weeks
        problems = rounds_problems_from_plan(territory, first.plan)
        if problems:
            n_orders = sum(len(p.orders) for p in problems.values())
            report(0.3, f"platform rounds for {n_orders} orders")
            rounds = _solve_rounds(problems, limit_s, params.seed)
            pickups: dict[tuple[str, dt.date], float] = {}
            for solved in rounds.values():
                for key, eur in pickup_costs_from_rounds(solved).items():
                    pickups[key] = pickups.get(key, 0.0) + eur
            overrides = LogisticsOverrides(platform_pickup_eur=pickups)
            report(0.4, "sourcing model (logistics priced by the rounds)")
            second = solve(overrides, 0.4)
            changed = _changed_lines(first.plan, second.plan)
            iterations.append({**_iteration("rounds", second), "lines_changed": changed})
            sourcing = second
            problems = rounds_problems_from_plan(territory, second.plan)
            n_orders = sum(len(p.orders) for p in problems.values())
            report(0.85, f"platform rounds of the final plan ({n_orders} orders)")
            rounds = _solve_rounds(problems, limit_s, params.seed)
    report(0.95, "independent checks, indicators, explanations")
    kitchens = [k.id for k in scenario.kitchens()]
    outcome = _finish(
        territory, sourcing, rounds=rounds, iterations=iterations, kitchens=kitchens, t0=t0
    )
    outcome.record.update(
        time_limit_s=params.time_limit_s, seed=params.seed, with_rounds=with_rounds
    )
    report(1.0, "done")
    return outcome


def _solve_rounds(
    problems: Mapping[str, RoundsProblem], time_limit_s: float, seed: int
) -> dict[str, RoundsOutcome]:
    """Each platform's rounds, each with ``time_limit_s``."""
    return {
        pid: plan_rounds(problem, time_limit_s=time_limit_s, seed=seed)
        for pid, problem in problems.items()
    }


def _iteration(priced_by: str, r: SourcingResult) -> dict[str, Any]:
    return {
        "logistics_priced_by": priced_by,
        "status": r.status,
        "objective_eur": _num(r.objective_eur),
        "food_cost_eur": _num(r.food_cost_eur),
        "logistics_cost_eur": _num(r.logistics_cost_eur),
        "runtime_s": _num(r.runtime_s),
        "platform_kg": _num(
            sum(ln.quantity_kg for ln in r.plan.lines if ln.channel is Channel.PLATFORM)
        ),
    }


def _best_so_far(r: SourcingResult) -> dict[str, Any]:
    """A first plan, reported while the rounds and the second solve run."""
    return {
        "partial": True,
        **_iteration("estimate", r),
        "lower_bound_eur": _num(r.lower_bound_eur),
        "purchase_plan": [ln.model_dump(mode="json") for ln in r.plan.lines],
    }


def _changed_lines(a: PurchasePlan, b: PurchasePlan) -> int:
    """Number of (week, kitchen, supplier, product, channel) keys whose quantity differs."""

    def keyed(p: PurchasePlan) -> dict[tuple[Any, ...], float]:
        out: dict[tuple[Any, ...], float] = defaultdict(float)
        for ln in p.lines:
            out[(ln.week_start, ln.kitchen_id, ln.supplier_id, ln.product_id, ln.channel)] += (
                ln.quantity
            )
        return out

    ka, kb = keyed(a), keyed(b)
    return sum(1 for k in ka.keys() | kb.keys() if abs(ka.get(k, 0.0) - kb.get(k, 0.0)) > 1e-6)


# --------------------------------------------------------------------------- helpers


def _num(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _plain(obj: Any) -> Any:
    """Dataclasses, dates and enums to JSON-ready values."""
    import dataclasses
    import enum

    if obj is None or isinstance(obj, str | int | bool):
        return obj
    if isinstance(obj, float):
        return _num(obj)
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, enum.Enum):
        return obj.value
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_plain(v) for v in obj]
    return str(obj)


def json_ready(obj: Any) -> Any:
    """Dataclasses, dates, enums, numpy scalars and non-finite floats as JSON values."""
    if hasattr(obj, "item") and not isinstance(obj, str | bytes):
        obj = obj.item()
    return _plain(obj)


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    if df is None or df.empty:
        return []
    return [_plain(r) for r in df.to_dict(orient="records")]


# --------------------------------------------------------------------------- pooling


@dataclass(frozen=True)
class PoolingOutcome:
    """A pooling answer (``solver.pooling.pooling.PoolingAnswer``) with the inputs it answers."""

    inputs: Any
    answer: Any


def pooling_check(
    group: str | Path,
    order: str | Path,
    scenario: str | Path | Scenario,
    *,
    rule: str | None = None,
    time_limit_s: float = 2.0,
    seed: int = 0,
    base_dir: str | Path | None = None,
) -> PoolingOutcome:
    """Can ``group`` honour the ``order`` (TOML) in ``scenario``? (:mod:`solver.pooling.pooling`).

    ``group`` is a CSV of ``producer_id``, a ``Producer.group`` name or comma-separated ids;
    ``rule`` overrides the order file's sharing rule. The answer carries the independent
    checker's verdict (``answer.check``).

    Raises
    ------
    ScenarioError
        Bad scenario, group or order file (file, field, value).
    """
    from solver.pooling import (
        SHARING_RULES,
        PoolingInputs,
        check_pooling_order,
        load_order,
        resolve_group,
    )

    if rule is not None and rule not in SHARING_RULES:
        raise ScenarioError(
            [Problem("--rule", 0, "rule", rule, f"must be one of {', '.join(SHARING_RULES)}")]
        )
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if base_dir is None:
        base_dir = "." if isinstance(scenario, Scenario) else Path(scenario)
        base_dir = base_dir if Path(base_dir).is_dir() else Path(base_dir).parent
    members = resolve_group(str(group), sc)
    the_order, transport, file_rule = load_order(order, sc)
    inputs = PoolingInputs(
        scenario=sc,
        member_ids=members,
        order=the_order,
        travel=travel_matrix(sc, base_dir=base_dir),
        transport=transport,
        rule=(rule or file_rule),  # type: ignore[arg-type]
    )
    answer = check_pooling_order(inputs, time_limit_s=time_limit_s, seed=seed)
    return PoolingOutcome(inputs, answer)
