"""The API's jobs as plain functions: request JSON in, result JSON and export files out.

The routers (synchronous answers) and the worker (background jobs) run the same code.
Solving is delegated to a :class:`Services` object — the orchestration shared with the
CLI (:mod:`app.services`) in production, a small fake in tests — so no solver detail
lives here: this module only resolves the scenario a request names, enforces the size
limits, and turns a result into JSON and files.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from app.config import Settings
from app.errors import RequestProblem
from app.guards import COLLECTION_LIMITS, check_json_counts, check_json_numbers, limit_message
from app.jobs import Artifact
from app.schemas import RoundsProblemIn
from app.worker import JobProgress, Task, TaskOutput
from solver.core import (
    Availability,
    FixedOrder,
    Problem,
    PurchaseLine,
    PurchasePlan,
    Scenario,
    ScenarioError,
    Shortfall,
    SolveParams,
)
from solver.rounds import RoundsProblem
from solver.scenario import (
    check_availability,
    check_fixed_orders,
    check_shortfalls,
    records_from_json,
)
from solver.sourcing import Ordering, ReplanObjective

logger = logging.getLogger(__name__)

#: Job kinds.
PROPOSAL = "proposal"
PLAN = "plan"
ROUNDS = "rounds"
POOLING = "pooling"
WEEK = "week"
REPLAN = "replan"

#: Export files per job kind: name -> media type.
EXPORTS: dict[str, dict[str, str]] = {
    PROPOSAL: {
        "purchase_plan.csv": "text/csv; charset=utf-8",
        "purchase_plan.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "macantine_achats.csv": "text/csv; charset=utf-8",
        "macantine_achats.provenance.txt": "text/plain; charset=utf-8",
    },
    ROUNDS: {
        "routes.geojson": "application/geo+json",
        "map": "text/html; charset=utf-8",
    },
}
EXPORTS[PLAN] = {**EXPORTS[PROPOSAL], **EXPORTS[ROUNDS]}
EXPORTS[POOLING] = dict(EXPORTS[ROUNDS])
_CSV = "text/csv; charset=utf-8"
EXPORTS[WEEK] = {
    **EXPORTS[PLAN],
    "orders_by_kitchen.csv": _CSV,
    "prepare_by_producer.csv": _CSV,
}
EXPORTS[REPLAN] = {
    **EXPORTS[PLAN],
    "changes.csv": _CSV,
    "notify_producers.csv": _CSV,
    "notify_kitchens.csv": _CSV,
}
#: Territory what-ifs (:mod:`app.whatif_tasks`).
COMPARISON = "comparison"
CONTRACTS = "contracts"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS[COMPARISON] = {
    "compare.xlsx": _XLSX,
    "compare_summary.csv": "text/csv; charset=utf-8",
    "compare_kitchens.csv": "text/csv; charset=utf-8",
}
EXPORTS[CONTRACTS] = {"contracts.csv": "text/csv; charset=utf-8", "contracts.xlsx": _XLSX}

Progress = Callable[..., None]


class Services(Protocol):
    """The orchestration the API needs.

    The signatures are those of :mod:`app.services` (the CLI's orchestration), which
    :class:`app.adapter.AppServices` serves as is; tests plug in a fake. Every result
    has ``to_dict()``.
    """

    def load_scenario(self, source: Path | Mapping[str, Any]) -> Scenario:
        """:func:`app.services.load_scenario` (raises ScenarioError)."""
        ...

    def propose(
        self,
        scenario: Scenario,
        canteen_id: str,
        *,
        weeks: int | None = None,
        params: SolveParams,
        progress: Progress | None = None,
    ) -> Any:
        """:func:`app.services.propose`: the cook's proposal for one canteen."""
        ...

    def plan_territory(
        self, scenario: Scenario, *, params: SolveParams, progress: Progress | None = None
    ) -> Any:
        """:func:`app.services.plan_territory`: the whole territory's plan."""
        ...

    def plan_rounds(
        self,
        problem: RoundsProblem,
        *,
        time_limit_s: float,
        seed: int = 0,
        mode: str = "direct",
        objective: str = "cost",
    ) -> Any:
        """:func:`app.services.plan_rounds`: rounds for a problem."""
        ...

    def pooling_check(
        self,
        scenario: Scenario,
        members: tuple[str, ...],
        order: Mapping[str, Any],
        *,
        time_limit_s: float,
        seed: int,
    ) -> Any:
        """The producer group's verdict on an order; the result has ``to_dict()``."""
        ...

    def plan_week(
        self,
        scenario: Scenario,
        week: dt.date,
        *,
        params: SolveParams,
        availability: Sequence[Availability] = (),
        fixed: Sequence[tuple[int, FixedOrder]] = (),
        fixed_file: str = "fixed orders",
        ordering: Ordering | None = None,
        with_rounds: bool = True,
        base_dir: str | Path = ".",
        progress: Progress | None = None,
        week_field: str = "--week",
    ) -> Any:
        """:func:`app.cycle.plan_week`: a week's orders."""
        ...

    def replan(
        self,
        scenario: Scenario,
        previous: PurchasePlan,
        shortfalls: Sequence[Shortfall],
        *,
        params: SolveParams,
        objective: ReplanObjective = "lexicographic",
        change_eur: float = 0.0,
        ordering: Ordering | None = None,
        with_rounds: bool = True,
        base_dir: str | Path = ".",
        progress: Progress | None = None,
    ) -> Any:
        """:func:`app.cycle.replan`: the weeks left after shortfalls, re-planned."""

    def compare(
        self,
        scenarios: Sequence[tuple[str, Scenario]],
        *,
        weeks: int | None = None,
        params: SolveParams,
        with_rounds: bool = True,
        progress: Progress | None = None,
    ) -> Any:
        """:func:`app.whatifs.compare`: the named scenarios' plans side by side."""
        ...

    def contracts(
        self,
        scenario: Scenario,
        *,
        weeks: int | None = None,
        params: SolveParams,
        with_rounds: bool = True,
        progress: Progress | None = None,
    ) -> Any:
        """:func:`app.whatifs.contracts`: contracts from a plan (``weeks=None``: the school
        year)."""
        ...

    def artifacts(self, kind: str, result: Any, *, full: bool = True) -> list[Artifact]:
        """Export files of a result (names from :data:`EXPORTS`).

        ``full=False``: only the exports that take milliseconds (synchronous answers).
        """
        ...


class ScenarioResolver:
    """Finds bundled scenarios by name and caches them (re-read when a file changes)."""

    def __init__(self, services: Services, settings: Settings) -> None:
        self.services = services
        self.settings = settings
        self._cache: dict[str, tuple[float, Scenario]] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """Names of the bundled scenarios (folders holding ``settings.toml``)."""
        root = self.settings.scenarios_dir
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / "settings.toml").is_file())

    def folder(self, name: str) -> Path | None:
        """Folder of a bundled scenario, or None when there is no such scenario."""
        if name not in self.names():
            return None
        return self.settings.scenarios_dir / name

    def bundled(self, name: str, field: str = "scenario_name") -> Scenario:
        """A bundled scenario by name (cached until one of its files changes).

        Raises
        ------
        RequestProblem
            When no bundled scenario has that name.
        """
        folder = self.folder(name)
        if folder is None:
            known = ", ".join(self.names()) or "none"
            msg = f"no bundled scenario named {name!r}; available: {known}"
            raise RequestProblem(field, name, msg)
        stamp = max((p.stat().st_mtime for p in folder.iterdir()), default=0.0)
        with self._lock:
            hit = self._cache.get(name)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        scenario = self.services.load_scenario(folder)
        with self._lock:
            self._cache[name] = (stamp, scenario)
        return scenario

    def resolve(self, request: Mapping[str, Any]) -> Scenario:
        """The scenario a request names: inline ``scenario`` JSON or ``scenario_name``.

        An inline scenario is checked before it is parsed (collection sizes, finite
        numbers, a road network the server knows), then parsed and validated; its
        ``travel.road_file`` names a road network of ``settings.road_networks`` and is
        replaced by that network's file. Every scenario is then checked against the limits.
        """
        inline = request.get("scenario")
        if inline is not None:
            if not isinstance(inline, Mapping):
                raise RequestProblem("scenario", inline, "must be a JSON object")
            check_json_counts(inline, self.settings)
            check_json_numbers(inline)
            road_file = self._road_file(inline)
            try:  # located errors first: scenario.canteens[3].lat, 0-based like the JSON
                Scenario.model_validate(inline)
            except ValidationError as exc:
                raise RequestValidationError(
                    [{**e, "loc": ("body", "scenario", *e["loc"])} for e in exc.errors()]
                ) from None
            scenario = self.services.load_scenario(inline)
            scenario = _with_road_file(scenario, road_file)
        else:
            scenario = self.bundled(str(request.get("scenario_name") or ""))
        check_scenario_limits(scenario, self.settings)
        return scenario

    def _road_file(self, inline: Mapping[str, Any]) -> str:
        """The server file of the road network an inline scenario names ("" for none).

        Requests never name a server file: ``travel.road_file`` must be the name of a
        network in ``settings.road_networks`` (``RACINES_ROAD_NETWORKS``).
        """
        settings = inline.get("settings")
        travel = settings.get("travel") if isinstance(settings, Mapping) else None
        name = travel.get("road_file") if isinstance(travel, Mapping) else None
        if name is None or name == "":
            return ""
        networks = self.settings.road_networks
        if isinstance(name, str) and name in networks:
            return str(networks[name])
        known = ", ".join(sorted(networks)) or "none registered"
        msg = (
            "names no road network of this server (a request cannot name a file); "
            f"road networks: {known} (setting {self.settings.env_name('road_networks')})"
        )
        raise RequestProblem("scenario.settings.travel.road_file", name, msg)


def _with_road_file(scenario: Scenario, road_file: str) -> Scenario:
    """``scenario`` with ``travel.road_file`` set to the server's file (when one is named)."""
    if not road_file:
        return scenario
    settings = scenario.settings
    travel = settings.travel.model_copy(update={"road_file": road_file})
    return scenario.model_copy(update={"settings": settings.model_copy(update={"travel": travel})})


def _limit(field: str, count: int, limit: int, setting: str, what: str) -> RequestProblem:
    return RequestProblem(field, count, limit_message(count, what, limit, setting))


def scenario_points(scenario: Scenario) -> int:
    """Places of the scenario's travel matrix: producers, canteens and platforms."""
    return len(scenario.producers) + len(scenario.canteens) + len(scenario.platforms)


def sync_size(scenario: Scenario, settings: Settings) -> bool:
    """True when the scenario is small enough for a synchronous answer."""
    return scenario_points(scenario) <= settings.sync_max_points


def check_scenario_limits(scenario: Scenario, settings: Settings) -> None:
    """Reject a scenario with a collection or a travel matrix over the limits."""
    counts = {k: len(getattr(scenario, k)) for k in COLLECTION_LIMITS if k != "vans"}
    counts["vans"] = sum(len(p.vans) for p in scenario.platforms)
    for key, count in counts.items():
        name = COLLECTION_LIMITS[key]
        limit = int(getattr(settings, name))
        if count > limit:
            raise _limit(f"scenario.{key}", count, limit, settings.env_name(name), key)
    points = scenario_points(scenario)
    if points > settings.max_matrix_points:
        raise _limit(
            "scenario",
            points,
            settings.max_matrix_points,
            settings.env_name("max_matrix_points"),
            "places of the travel matrix (producers + canteens + platforms)",
        )


def check_weeks(weeks: int, settings: Settings) -> None:
    """Reject a horizon longer than the settings allow."""
    if weeks > settings.max_weeks:
        raise _limit("weeks", weeks, settings.max_weeks, settings.env_name("max_weeks"), "weeks")


def check_canteen(scenario: Scenario, canteen_id: str) -> None:
    """Reject a canteen id the scenario does not hold."""
    ids = [c.id for c in scenario.canteens]
    if canteen_id not in ids:
        shown = ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
        msg = f"no canteen {canteen_id!r} in the scenario; canteens: {shown or 'none'}"
        raise RequestProblem("canteen_id", canteen_id, msg)


def check_rounds(problem: RoundsProblemIn, settings: Settings) -> int:
    """Reject a rounds problem beyond the stop, vehicle or matrix limits; return its stops."""
    if len(problem.sites) > settings.max_matrix_points:
        raise _limit(
            "problem.sites",
            len(problem.sites),
            settings.max_matrix_points,
            settings.env_name("max_matrix_points"),
            "sites (places of the travel matrix)",
        )
    if problem.stops > settings.max_stops:
        raise _limit(
            "problem.shipments",
            problem.stops,
            settings.max_stops,
            settings.env_name("max_stops"),
            "stops (2 per shipment)",
        )
    if len(problem.vehicles) > settings.max_vehicles:
        raise _limit(
            "problem.vehicles",
            len(problem.vehicles),
            settings.max_vehicles,
            settings.env_name("max_vehicles"),
            "vehicles",
        )
    return problem.stops


def rounds_problem(request: Mapping[str, Any]) -> RoundsProblem:
    """The solver's problem from a stored rounds request."""
    try:
        return RoundsProblemIn.model_validate(request["problem"]).to_domain()
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", "problem", *e["loc"])} for e in exc.errors()]
        ) from None
    except ValueError as exc:  # cross-field rules of RoundsProblem itself
        raise RequestProblem("problem", None, str(exc)) from None


def group_members(scenario: Scenario, group: str | list[str]) -> tuple[str, ...]:
    """Member ids of a group given as ids or as a ``Producer.group`` name."""
    known = {p.id for p in scenario.producers}
    if isinstance(group, str):
        members = tuple(p.id for p in scenario.producers if p.group and p.group == group)
        if members:
            return members
        if group in known:
            return (group,)
        groups = sorted({p.group for p in scenario.producers if p.group})
        shown = ", ".join(groups[:10]) or "none"
        msg = f"neither a producer group nor a producer id; groups: {shown}"
        raise RequestProblem("group", group, msg)
    bad = [g for g in group if g not in known]
    if bad:
        raise RequestProblem("group", bad, f"unknown producer id(s): {', '.join(bad[:10])}")
    if not group:
        raise RequestProblem("group", group, "the group has no member")
    return tuple(dict.fromkeys(group))


def check_pooling_weeks(order: Mapping[str, Any], settings: Settings) -> int:
    """Reject an order over more weeks than the settings allow; return its weeks."""
    from app.schemas import PoolingOrderIn

    weeks = PoolingOrderIn.model_validate(order).n_weeks_asked
    if weeks > settings.max_weeks:
        raise _limit("order", weeks, settings.max_weeks, settings.env_name("max_weeks"), "weeks")
    return weeks


def check_pooling(group: str | list[str], order: Mapping[str, Any], settings: Settings) -> int:
    """Reject a pooling check over the member, product or week limits; return its weeks."""
    if isinstance(group, list) and len(group) > settings.max_pooling_members:
        setting = settings.env_name("max_pooling_members")
        raise _limit("group", len(group), settings.max_pooling_members, setting, "members")
    products = order.get("products")
    if isinstance(products, list) and len(products) > settings.max_pooling_lines:
        setting = settings.env_name("max_pooling_lines")
        count = len(products)
        raise _limit("order.products", count, settings.max_pooling_lines, setting, "products")
    return check_pooling_weeks(order, settings)


def run_pooling(
    services: Services,
    scenario: Scenario,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    full: bool = True,
) -> TaskOutput:
    """A producer group's verdict on an order."""
    result = services.pooling_check(
        scenario,
        group_members(scenario, request["group"]),
        request["order"],
        time_limit_s=_time_limit(request, ceiling_s),
        seed=int(request.get("seed", 0)),
    )
    return TaskOutput(result.to_dict(), services.artifacts(POOLING, result, full=full))


def _time_limit(request: Mapping[str, Any], ceiling_s: float) -> float:
    asked = request.get("time_limit_s")
    return min(float(asked), ceiling_s) if asked is not None else ceiling_s


def _params(request: Mapping[str, Any], ceiling_s: float) -> SolveParams:
    return SolveParams(
        time_limit_s=_time_limit(request, ceiling_s), seed=int(request.get("seed", 0))
    )


def run_proposal(
    services: Services,
    scenario: Scenario,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
    full: bool = True,
) -> TaskOutput:
    """Solve a proposal request against a resolved scenario."""
    result = services.propose(
        scenario,
        str(request["canteen_id"]),
        weeks=int(request.get("weeks", 4)),
        params=_params(request, ceiling_s),
        progress=progress,
    )
    return TaskOutput(result.to_dict(), services.artifacts(PROPOSAL, result, full=full))


def run_plan(
    services: Services,
    scenario: Scenario,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
) -> TaskOutput:
    """Plan a whole territory."""
    result = services.plan_territory(
        scenario, params=_params(request, ceiling_s), progress=progress
    )
    return TaskOutput(result.to_dict(), services.artifacts(PLAN, result))


def run_rounds(
    services: Services,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
    full: bool = True,
) -> TaskOutput:
    """Plan rounds for a VROOM-like problem."""
    result = services.plan_rounds(
        rounds_problem(request),
        time_limit_s=_time_limit(request, ceiling_s),
        seed=int(request.get("seed", 0)),
        mode=str(request.get("routing_mode", "direct")),
        objective=str(request.get("objective", "cost")),
    )
    return TaskOutput(result.to_dict(), services.artifacts(ROUNDS, result, full=full))


# --------------------------------------------------------------------------- weekly cycle

#: Where the rows of a request's lists are located: list name -> request fields.
_LISTS = {
    "availability": ("availability",),
    "fixed_orders": ("fixed_orders",),
    "shortfalls": ("shortfalls",),
    "lines": ("plan", "lines"),
    "week": ("week",),
}


def located(exc: ScenarioError) -> RequestValidationError:
    """The problems of a request's rows (``availability[2].kg_available``) as a
    validation error (422, or a failed job's ``invalid_request``)."""
    errors = []
    for p in exc.problems:
        loc: list[str | int] = ["body", *_LISTS.get(p.file, (p.file,))]
        if p.row:
            loc.append(p.row - 1)
        if p.column and p.file != "week":
            loc += p.column.split(".")
        errors.append(
            {"loc": tuple(loc), "msg": p.message, "input": p.value, "type": "value_error"}
        )
    return RequestValidationError(errors)


def _rows(exc_out: list[Problem], items: Any, model: type[Any], name: str) -> list[Any]:
    """``items`` read as ``model`` records, their problems collected in ``exc_out``."""
    try:
        return records_from_json(list(items or []), model, name)
    except ScenarioError as exc:
        exc_out.extend(exc.problems)
        return []


def _request_rows(scenario: Scenario, request: Mapping[str, Any]) -> tuple[Any, ...]:
    """A week's availability rows and fixed orders (with their positions), checked."""
    problems: list[Problem] = []
    avail = _rows(problems, request.get("availability"), Availability, "availability")
    fixed = _rows(problems, request.get("fixed_orders"), FixedOrder, "fixed_orders")
    problems += check_availability(avail, scenario, "availability")
    problems += check_fixed_orders(fixed, scenario, "fixed_orders")
    if problems:
        raise located(ScenarioError(problems))
    return [a for _, a in avail], fixed


def _ordering(scenario: Scenario, request: Mapping[str, Any]) -> Ordering:
    """The ordering costs a request asks for (its values, else the scenario's settings)."""
    from app.cycle import ordering_options

    try:
        return ordering_options(
            scenario,
            request.get("supplier_order_cost_eur"),
            request.get("regularity_eur_per_kg"),
            request.get("regularity_scope"),
        )
    except ScenarioError as exc:
        raise RequestProblem("supplier_order_cost_eur", None, exc.problems[0].message) from None


def _of_request(exc: ScenarioError) -> bool:
    """Whether every problem is about the request's own rows (not the scenario)."""
    return all(p.file in _LISTS for p in exc.problems)


def run_week(
    services: Services,
    scenario: Scenario,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
    full: bool = True,
) -> TaskOutput:
    """A week's orders."""
    availability, fixed = _request_rows(scenario, request)
    try:
        result = services.plan_week(
            scenario,
            dt.date.fromisoformat(str(request["week"])),
            params=_params(request, ceiling_s),
            availability=availability,
            fixed=fixed,
            fixed_file="fixed_orders",
            ordering=_ordering(scenario, request),
            with_rounds=bool(request.get("with_rounds", True)),
            progress=progress,
            week_field="week",
        )
    except ScenarioError as exc:
        if _of_request(exc):
            raise located(exc) from None
        raise
    return TaskOutput(result.to_dict(), services.artifacts(WEEK, result, full=full))


def replan_inputs(
    scenario: Scenario, request: Mapping[str, Any]
) -> tuple[PurchasePlan, list[Shortfall]]:
    """The plan to re-plan and the shortfalls of a request, checked (located errors)."""
    problems: list[Problem] = []
    plan = request["plan"]
    lines = _rows(problems, plan.get("lines"), PurchaseLine, "lines")
    cuts = _rows(problems, request.get("shortfalls"), Shortfall, "shortfalls")
    problems += check_shortfalls(cuts, scenario, "shortfalls")
    if problems:
        raise located(ScenarioError(problems))
    weeks = tuple(dt.date.fromisoformat(str(w)) for w in plan["weeks"])
    return PurchasePlan(weeks=weeks, lines=tuple(ln for _, ln in lines)), [c for _, c in cuts]


def run_replan(
    services: Services,
    scenario: Scenario,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
    full: bool = True,
) -> TaskOutput:
    """A re-plan after shortfalls."""
    plan, cuts = replan_inputs(scenario, request)
    try:
        objective = str(request.get("objective", "lexicographic"))
        result = services.replan(
            scenario,
            plan,
            cuts,
            params=_params(request, ceiling_s),
            objective=objective,  # type: ignore[arg-type]
            change_eur=float(request.get("change_eur", 20.0)) if objective == "weighted" else 0.0,
            ordering=_ordering(scenario, request),
            with_rounds=bool(request.get("with_rounds", True)),
            progress=progress,
        )
    except ScenarioError as exc:
        if _of_request(exc):
            raise located(exc) from None
        raise
    return TaskOutput(result.to_dict(), services.artifacts(REPLAN, result, full=full))


def make_tasks(
    services: Services, resolver: ScenarioResolver, settings: Settings
) -> dict[str, Task]:
    """The worker's task per job kind."""
    ceiling = settings.job_time_limit_s

    def proposal(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenario = resolver.resolve(request)
        progress.check()
        return run_proposal(services, scenario, request, ceiling_s=ceiling, progress=progress)

    def plan(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenario = resolver.resolve(request)
        progress.check()
        return run_plan(services, scenario, request, ceiling_s=ceiling, progress=progress)

    def rounds(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        return run_rounds(services, request, ceiling_s=ceiling, progress=progress)

    def pooling(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenario = resolver.resolve(request)
        progress.check()
        return run_pooling(services, scenario, request, ceiling_s=ceiling)

    def week(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenario = resolver.resolve(request)
        progress.check()
        return run_week(services, scenario, request, ceiling_s=ceiling, progress=progress)

    def replan(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenario = resolver.resolve(request)
        progress.check()
        return run_replan(services, scenario, request, ceiling_s=ceiling, progress=progress)

    return {
        PROPOSAL: proposal,
        PLAN: plan,
        ROUNDS: rounds,
        POOLING: pooling,
        WEEK: week,
        REPLAN: replan,
    }
