"""The weekly ordering cycle and re-planning: orchestration shared by the CLI and the API.

* :func:`plan_week` -- one week's orders: the producers' availability lists replace their
  offers for the week, orders already sent are kept fixed and the rest is planned (the
  territory plan of :func:`app.services.plan_territory` over that week, the platform's
  round included); every kitchen's orders come with the day and time they are due, every
  producer's preparation with how it leaves the farm; the plan checker and the week's
  checker (fixed orders kept, availability respected) give the verdict.
* :func:`replan` -- a new plan for the weeks left after a shortfall (a producer loses part
  of a product, or drops out) that changes as few order lines as possible
  (:mod:`solver.sourcing.revision`), with the list of changes, who must be told, and the
  plan and re-plan checkers' verdicts.
* :func:`read_plan_folder` reads back a folder written by ``racines plan --out``: its
  ``purchase_plan.csv``, the scenario it records (``scenario.json``, else the path in
  ``summary.json``) and the weeks it planned.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from app.provenance import stamp_files
from app.services import (
    SCENARIO_FILE,
    PlanOutcome,
    Progress,
    RoundsOutcome,
    finish_plan,
    load_scenario,
    plan_rounds,
    plan_territory,
    prepare,
    rounds_problems_from_plan,
)
from solver.core import (
    Availability,
    Channel,
    FixedOrder,
    Label,
    Problem,
    PurchaseLine,
    PurchasePlan,
    RegularityScope,
    Scenario,
    ScenarioError,
    Shortfall,
    SolveParams,
)
from solver.evaluation import Report, check_replan, check_week, plan_changes
from solver.prepare import weekly_demand
from solver.scenario import apply_availability
from solver.sourcing import (
    FixedLine,
    Ordering,
    ReplanObjective,
    Revision,
    SourcingOptions,
    ordering_of,
    solve_sourcing,
)

__all__ = [
    "PlanFolder",
    "ReplanOutcome",
    "WeekOutcome",
    "fixed_lines",
    "ordering_options",
    "plan_week",
    "read_plan_csv",
    "read_plan_folder",
    "replan",
]

#: Engine seconds given to the rounds of one re-planned week.
ROUNDS_S_PER_WEEK = 2.0
#: The week's own files (beside the plan's), and the re-plan's (each CSV with a
#: ``provenance`` column, :mod:`app.provenance`).
WEEK_FILES = ("orders_by_kitchen.csv", "prepare_by_producer.csv")
CHANGES_FILES = ("changes.csv", "notify_producers.csv", "notify_kitchens.csv")


def _noop(*_args: Any) -> None:
    return None


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", date_format="iso"))


# --------------------------------------------------------------------------- week


def ordering_options(
    scenario: Scenario,
    supplier_order_cost_eur: float | None,
    regularity_eur_per_kg: float | None,
    regularity_scope: RegularityScope | str | None,
) -> Ordering:
    """The ordering costs of a command: its options, else the scenario's settings.

    Raises
    ------
    ScenarioError
        When a cost is negative or not finite (naming the option).
    """
    base = ordering_of(scenario.settings)
    scope = RegularityScope(regularity_scope) if regularity_scope is not None else None
    try:
        return Ordering(
            per_supplier_eur=base.per_supplier_eur
            if supplier_order_cost_eur is None
            else supplier_order_cost_eur,
            regularity_eur_per_kg=base.regularity_eur_per_kg
            if regularity_eur_per_kg is None
            else regularity_eur_per_kg,
            regularity_scope=scope or base.regularity_scope,
        )
    except ValueError as exc:
        raise ScenarioError([Problem("options", 0, "", "", str(exc))]) from None


@dataclass
class WeekOutcome:
    """One week's orders, checked: the plan over the week, its orders per kitchen (with
    their deadlines), each producer's preparation, and the week's checker verdict."""

    outcome: PlanOutcome
    week: dt.date
    week_check: Report
    orders: pd.DataFrame
    preparation: pd.DataFrame
    n_availability: int = 0
    n_fixed: int = 0

    @property
    def ok(self) -> bool:
        """The plan's, the rounds' and the week's checkers found no violation."""
        return self.outcome.ok and self.week_check.ok

    def summary(self) -> dict[str, Any]:
        """The week, its inputs and the week checker's verdict."""
        return {
            "week": self.week.isoformat(),
            "availability_rows": self.n_availability,
            "fixed_orders": self.n_fixed,
            "kitchens_ordering": int(self.orders["kitchen_id"].nunique()),
            "suppliers_per_kitchen": float(
                self.orders.groupby("kitchen_id")["supplier_id"].nunique().mean()
            )
            if not self.orders.empty
            else 0.0,
            "producers_preparing": int(self.preparation["producer_id"].nunique()),
            "week_check": self.week_check.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """The plan's JSON (:meth:`PlanOutcome.to_dict`), ``ok`` for every checker, the
        week's summary, orders and preparation."""
        return {
            **self.outcome.to_dict(),
            "ok": self.ok,
            "week": self.summary(),
            "orders": _records(self.orders),
            "preparation": _records(self.preparation),
        }

    def write_outputs(self, folder: str | Path) -> dict[str, Path]:
        """The plan's files, ``orders_by_kitchen.csv``, ``prepare_by_producer.csv`` and
        ``week.json``."""
        out = Path(folder)
        written = self.outcome.write_outputs(out)
        for name, table in zip(WEEK_FILES, (self.orders, self.preparation), strict=True):
            table.to_csv(out / name, index=False)
            written[name] = out / name
        stamp_files([written[n] for n in WEEK_FILES], self.outcome.provenance)
        (out / "week.json").write_text(json.dumps(self.summary(), indent=1, default=str))
        written["week.json"] = out / "week.json"
        return written


def fixed_lines(
    scenario: Scenario, week: dt.date, orders: Sequence[tuple[int, FixedOrder]], file: str
) -> tuple[FixedLine, ...]:
    """Orders already sent as the sourcing model's fixed lines (kg to purchase units),
    each located at ``(file, row)``."""
    return tuple(
        FixedLine(
            kitchen_id=f.kitchen_id,
            supplier_id=f.producer_id,
            product_id=f.product_id,
            week=week,
            quantity=f.kg / scenario.product(f.product_id).kg_per_unit,
            channel=f.channel,
            source=(file, row),
            kg=f.kg,
        )
        for row, f in orders
    )


def _check_week_date(scenario: Scenario, week: dt.date, field_name: str) -> None:
    """The week is a Monday on which some kitchen has something to eat."""
    if week.isoweekday() != 1:
        msg = f"{week.isoformat()} is not a Monday (weeks are given by their Monday)"
        raise ScenarioError([Problem(field_name, 0, "week", week.isoformat(), msg)])
    if weekly_demand(scenario, weeks=[week]).empty:
        msg = "no kitchen has anything to eat that week (school holidays?): nothing to order"
        raise ScenarioError([Problem(field_name, 0, "week", week.isoformat(), msg)])


def plan_week(
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
) -> WeekOutcome:
    """The orders of ``week`` (see the module docstring).

    Raises
    ------
    ScenarioError
        When the week is not a Monday or has nothing to eat (located at ``week_field``),
        or an order already sent cannot be kept (located at its row of ``fixed_file``).
    """
    _check_week_date(scenario, week, week_field)
    offered = apply_availability(scenario, availability, week)
    options = SourcingOptions(
        ordering=ordering, fixed=fixed_lines(scenario, week, fixed, fixed_file)
    )
    outcome = plan_territory(
        offered,
        params=params,
        weeks=1,
        start=week,
        progress=progress,
        base_dir=base_dir,
        with_rounds=with_rounds,
        options=options,
    )
    orders = [f for _, f in fixed]
    from solver.reporting import kitchen_orders, producer_preparation

    return WeekOutcome(
        outcome=outcome,
        week=week,
        week_check=check_week(
            scenario, outcome.plan, week, fixed=orders, availability=availability
        ),
        orders=kitchen_orders(offered, outcome.plan, week, orders),
        preparation=producer_preparation(offered, outcome.plan, week),
        n_availability=sum(1 for a in availability if a.week == week),
        n_fixed=len(orders),
    )


# --------------------------------------------------------------------------- plan folders


#: Columns a purchase plan file needs to be read back.
PLAN_FILE_COLUMNS = (
    "week_start",
    "kitchen_id",
    "supplier_id",
    "product_id",
    "quantity",
    "quantity_kg",
    "unit_price_eur",
    "channel",
)


def _plan_line(row: Mapping[str, str]) -> PurchaseLine:
    """A row of ``purchase_plan.csv`` as a line (its value recomputed from quantity and
    price, its labels from the comma-separated cell)."""
    quantity, price = float(row["quantity"]), float(row["unit_price_eur"])
    labels = [x.strip() for x in (row.get("labels") or "").replace(";", ",").split(",")]
    channel = Channel(row["channel"].strip())
    return PurchaseLine(
        week_start=dt.date.fromisoformat(row["week_start"].strip()),
        delivery_date=dt.date.fromisoformat(d)
        if (d := (row.get("delivery_date") or "").strip())
        else None,
        kitchen_id=row["kitchen_id"].strip(),
        supplier_id=row["supplier_id"].strip(),
        supplier_name=(row.get("supplier_name") or "").strip(),
        product_id=row["product_id"].strip(),
        quantity=quantity,
        quantity_kg=float(row["quantity_kg"]),
        unit_price_eur=price,
        value_eur=round(quantity * price, 6),
        labels=tuple(Label(x) for x in labels if x and x.lower() != "none"),
        channel=channel,
        local=channel is not Channel.REFERENCE,
    )


def read_plan_csv(path: str | Path, weeks: Sequence[dt.date]) -> PurchasePlan:
    """A plan from its ``purchase_plan.csv`` over ``weeks``.

    Raises
    ------
    ScenarioError
        With every bad row (file, row, column, value), or a missing file or column.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScenarioError([Problem(p.name, 0, "", "", f"cannot read: {exc}")]) from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in PLAN_FILE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ScenarioError(
            [Problem(p.name, 1, c, "", "required column is missing") for c in missing]
        )
    problems: list[Problem] = []
    lines: list[PurchaseLine] = []
    for n, row in enumerate(reader, start=2):
        try:
            lines.append(_plan_line(row))
        except (ValueError, KeyError) as exc:
            problems.append(Problem(p.name, n, "", "", f"not a purchase line: {exc}"))
    if problems:
        raise ScenarioError(problems)
    return PurchasePlan(weeks=tuple(weeks), lines=tuple(lines))


@dataclass(frozen=True)
class PlanFolder:
    """A plan folder read back: its scenario, its plan, and what ``summary.json`` says."""

    folder: Path
    scenario: Scenario
    plan: PurchasePlan
    summary: dict[str, Any]
    scenario_source: str


def read_plan_folder(folder: str | Path, scenario: str | Path | None = None) -> PlanFolder:
    """Read a folder written by ``racines plan --out`` (or ``racines replan --out``).

    The scenario is ``scenario`` when given, else the folder's ``scenario.json``, else
    the scenario path its ``summary.json`` records.

    Raises
    ------
    ScenarioError
        When the folder, its summary, its plan or its scenario cannot be read (located).
    """
    root = Path(folder)
    path = root / "summary.json"
    if not path.is_file():
        msg = "not a plan folder: no summary.json (write one with racines plan --out)"
        raise ScenarioError([Problem(str(root), 0, "", "", msg)])
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
        weeks = [dt.date.fromisoformat(w) for w in summary["weeks"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"cannot read the weeks planned: {exc}"
        raise ScenarioError([Problem("summary.json", 0, "weeks", "", msg)]) from None
    record = summary.get("plan_folder") or {}
    if scenario is not None:
        source: str | Path = scenario
    elif (root / SCENARIO_FILE).is_file():
        source = root / SCENARIO_FILE
    elif record.get("scenario_path"):
        source = str(record["scenario_path"])
    else:
        msg = "the plan folder records no scenario: give it (--scenario)"
        raise ScenarioError([Problem("summary.json", 0, "plan_folder", "", msg)])
    sc = load_scenario(source)
    plan = read_plan_csv(root / str(record.get("plan_file", "purchase_plan.csv")), weeks)
    return PlanFolder(root, sc, plan, summary, str(source))


# --------------------------------------------------------------------------- re-plan


@dataclass
class ReplanOutcome:
    """A re-plan, checked: the new plan over the whole horizon (weeks before ``from_week``
    kept), its changes from the previous plan, who must be told, and the verdicts."""

    outcome: PlanOutcome
    previous: PurchasePlan
    from_week: dt.date
    shortfalls: tuple[Shortfall, ...]
    objective: ReplanObjective
    changes: pd.DataFrame
    replan_check: Report
    notify_producers: pd.DataFrame
    notify_kitchens: pd.DataFrame
    #: what the new plan folder records beside the plan's own (what it revises)
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """The plan's, the rounds' and the re-plan's checkers found no violation."""
        return self.outcome.ok and self.replan_check.ok

    def _food_from(self, plan: PurchasePlan) -> float:
        return float(sum(ln.value_eur for ln in plan.lines if ln.week_start >= self.from_week))

    def summary(self) -> dict[str, Any]:
        """What changed and what it costs over the re-planned weeks, and the verdict."""
        s = self.outcome.sourcing
        return {
            "from_week": self.from_week.isoformat(),
            "objective": self.objective,
            "shortfalls": [x.model_dump(mode="json") for x in self.shortfalls],
            "changed_lines": len(self.changes),
            "model_changed_lines": s.changed_lines,
            "previous_lines_replanned": sum(
                1 for ln in self.previous.lines if ln.week_start >= self.from_week
            ),
            "food_cost_replanned_weeks_before_eur": round(self._food_from(self.previous), 2),
            "food_cost_replanned_weeks_after_eur": round(self._food_from(self.outcome.plan), 2),
            "objective_replanned_weeks_eur": s.objective_eur,
            "producers_to_tell": len(self.notify_producers),
            "kitchens_to_tell": len(self.notify_kitchens),
            "replan_check": self.replan_check.to_dict(),
            "ok": self.ok,
        }

    def to_dict(self) -> dict[str, Any]:
        """The new plan's JSON, the re-plan's summary, changes and who to tell."""
        return {
            **self.outcome.to_dict(),
            "ok": self.ok,
            "replan": self.summary(),
            "changes": _records(self.changes),
            "notify_producers": _records(self.notify_producers),
            "notify_kitchens": _records(self.notify_kitchens),
        }

    def write_outputs(self, folder: str | Path) -> dict[str, Path]:
        """The new plan's files (a plan folder, itself re-plannable), ``changes.csv``,
        ``notify_producers.csv``, ``notify_kitchens.csv`` and ``replan.json``."""
        out = Path(folder)
        self.outcome.record.update(self.record)
        written = self.outcome.write_outputs(out)
        tables = (self.changes, self.notify_producers, self.notify_kitchens)
        for name, table in zip(CHANGES_FILES, tables, strict=True):
            table.to_csv(out / name, index=False)
            written[name] = out / name
        stamp_files([written[n] for n in CHANGES_FILES], self.outcome.provenance)
        (out / "replan.json").write_text(json.dumps(self.summary(), indent=1, default=str))
        written["replan.json"] = out / "replan.json"
        return written


def _rounds_of(
    territory: Any, plan: PurchasePlan, since: dt.date, seed: int
) -> dict[str, RoundsOutcome]:
    """Each platform's rounds of the re-planned weeks (platforms carrying nothing left out)."""
    later = plan.model_copy(
        update={"lines": tuple(ln for ln in plan.lines if ln.week_start >= since)}
    )
    n_weeks = sum(1 for w in plan.weeks if w >= since)
    return {
        pid: plan_rounds(problem, time_limit_s=ROUNDS_S_PER_WEEK * n_weeks, seed=seed)
        for pid, problem in rounds_problems_from_plan(territory, later).items()
    }


def replan(
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
) -> ReplanOutcome:
    """Re-plan ``previous`` from the first shortfall's week on (see the module docstring).

    ``objective``: ``lexicographic`` (fewest changed lines, then cost), ``weighted`` (cost
    + ``change_eur`` per changed line) or ``cost`` (the remaining weeks from scratch).
    The re-planned weeks' sourcing has no lower bound (``compute_bound=False``): its time
    goes to the plan.

    Raises
    ------
    ScenarioError
        When there is no shortfall, or the previous plan has no week from the first
        shortfall's week on.
    """
    t0 = time.perf_counter()
    report = progress or _noop
    weeks = list(previous.weeks)
    if not shortfalls:
        raise ScenarioError([Problem("shortfalls", 0, "", "", "no shortfall: nothing to re-plan")])
    since = max(min(s.from_week for s in shortfalls), weeks[0])
    if since > weeks[-1]:
        msg = f"after the plan's last week {weeks[-1].isoformat()}: nothing to re-plan"
        raise ScenarioError([Problem("shortfalls", 1, "from_week", since.isoformat(), msg)])
    report(0.02, "travel times, demand")
    territory = prepare(scenario, weeks=len(weeks), start=weeks[0], base_dir=base_dir)
    revision = Revision(
        previous=previous,
        from_week=since,
        shortfalls=tuple(shortfalls),
        objective=objective,
        change_eur=change_eur,
    )
    report(0.05, f"re-planning from {since.isoformat()} ({objective})")
    sourcing = solve_sourcing(
        scenario,
        territory.demand,
        territory.meals,
        territory.eligibility,
        params=params,
        progress=lambda f, m: report(0.05 + 0.75 * f, m),
        compute_bound=False,
        options=SourcingOptions(ordering=ordering, revision=revision),
    )
    rounds = None
    if with_rounds:
        report(0.82, "platform rounds of the re-planned weeks")
        rounds = _rounds_of(territory, sourcing.plan, since, params.seed)
    report(0.92, "independent checks, indicators, explanations")
    kitchens = [k.id for k in scenario.kitchens()]
    outcome = finish_plan(territory, sourcing, rounds=rounds, kitchens=kitchens, t0=t0)
    outcome.record.update(time_limit_s=params.time_limit_s, seed=params.seed)
    changes = plan_changes(previous, sourcing.plan, since=since)
    from solver.reporting import notify_tables

    producers, kitchens_told = notify_tables(scenario, changes)
    report(1.0, "done")
    return ReplanOutcome(
        outcome=outcome,
        previous=previous,
        from_week=since,
        shortfalls=tuple(shortfalls),
        objective=objective,
        changes=changes,
        replan_check=check_replan(scenario, previous, sourcing.plan, since, shortfalls),
        notify_producers=producers,
        notify_kitchens=kitchens_told,
    )
