"""The production :class:`app.tasks.Services`: :mod:`app.services` plus what only the API needs.

:mod:`app.services` is the orchestration the CLI uses too (scenario loading and checks,
travel matrix, sourcing, rounds, independent checks); its functions are served as they are.
The weekly cycle's week and re-plan are :mod:`app.cycle`'s, served as they are too.
This module adds the pooling check of an order sent as JSON and turns outcomes into the
export files a job serves.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import cycle, provenance, services, whatifs
from app.cluster import connect
from app.errors import RequestProblem
from app.jobs import Artifact
from app.tasks import (
    COMPARISON,
    CONTRACTS,
    EXPORTS,
    PLAN,
    POOLING,
    PROPOSAL,
    REPLAN,
    ROUNDS,
    WEEK,
    Progress,
)
from solver.core import Scenario, ScenarioError, SolveParams
from solver.sourcing import TaskRunner

logger = logging.getLogger(__name__)

#: File written by the services -> export name served by the API.
_FILE_OF_EXPORT = {
    "purchase_plan.csv": "purchase_plan.csv",
    "purchase_plan.xlsx": "purchase_plan.xlsx",
    "macantine_achats.csv": "macantine_achats.csv",
    "macantine_achats.provenance.txt": "macantine_achats.provenance.txt",
    "routes.geojson": "routes.geojson",
    "map": "map.html",
    "orders_by_kitchen.csv": "orders_by_kitchen.csv",
    "prepare_by_producer.csv": "prepare_by_producer.csv",
    "changes.csv": "changes.csv",
    "notify_producers.csv": "notify_producers.csv",
    "notify_kitchens.csv": "notify_kitchens.csv",
}


def _collect(folder: Path, kind: str) -> list[Artifact]:
    out = []
    for name, media_type in EXPORTS[kind].items():
        path = folder / _FILE_OF_EXPORT[name]
        if path.is_file():
            out.append(Artifact(name, media_type, path.read_bytes()))
    return out


@dataclass(frozen=True)
class PoolingResult:
    """A pooling answer (:class:`solver.pooling.pooling.PoolingAnswer`) with ``to_dict()``."""

    answer: Any
    scenario: Scenario

    def to_dict(self) -> dict[str, Any]:
        """JSON form (:func:`solver.pooling.pooling.answer_to_json`) + ``synthetic_scenario``."""
        from solver.pooling import answer_to_json

        return {
            **answer_to_json(self.answer),
            "synthetic_scenario": self.scenario.settings.synthetic,
        }

    def rounds(self) -> services.RoundsOutcome | None:
        """The collection rounds, when the transport mode has some."""
        a = self.answer
        if a.rounds_problem is None or a.rounds_result is None:
            return None
        return services.RoundsOutcome(a.rounds_problem, a.rounds_result)


class AppServices:
    """:class:`app.tasks.Services` backed by :mod:`app.services` and the real solvers.

    ``cluster`` (``Settings.dask_scheduler``): the Dask cluster that runs the sourcing's
    solves of territory plans (:mod:`app.cluster`), connected at the first plan and kept
    for the process's life; empty: the solver's own threads.
    """

    def __init__(self, cluster: str = "") -> None:
        self.cluster = cluster
        self._runner: TaskRunner | None = None
        self._lock = threading.Lock()

    def runner(self) -> TaskRunner | None:
        """The cluster's runner, connected on first use (``None`` without a cluster)."""
        if not self.cluster:
            return None
        with self._lock:
            if self._runner is None:
                self._runner, _close = connect(self.cluster)
            return self._runner

    load_scenario = staticmethod(services.load_scenario)
    propose = staticmethod(services.propose)
    plan_rounds = staticmethod(services.plan_rounds)
    plan_week = staticmethod(cycle.plan_week)
    replan = staticmethod(cycle.replan)

    def plan_territory(
        self, scenario: Scenario, *, params: SolveParams, progress: Progress | None = None
    ) -> services.PlanOutcome:
        """:func:`app.services.plan_territory`, its sourcing's solves on the cluster if one
        is set."""
        return services.plan_territory(
            scenario, params=params, progress=progress, runner=self.runner()
        )

    compare = staticmethod(whatifs.compare)
    contracts = staticmethod(whatifs.contracts)

    def pooling_check(
        self,
        scenario: Scenario,
        members: tuple[str, ...],
        order: Mapping[str, Any],
        *,
        time_limit_s: float,
        seed: int,
    ) -> PoolingResult:
        """The group's verdict (:func:`solver.pooling.pooling.check_pooling_order`).

        The order arrives as JSON, so it is read with ``order_from_dict`` (the same rules
        as the order TOML file of :func:`app.services.pooling_check`).
        """
        from solver.pooling import PoolingInputs, check_pooling_order, order_from_dict

        try:
            the_order, transport, rule = order_from_dict(dict(order), scenario, file="order")
        except ScenarioError as exc:  # located in the request's order, not in the scenario
            p = exc.problems[0]
            field = f"order.{p.column}" if p.column and p.file == "order" else "order"
            raise RequestProblem(field, p.value, p.message) from None
        inputs = PoolingInputs(
            scenario=scenario,
            member_ids=members,
            order=the_order,
            travel=services.travel_matrix(scenario),
            transport=transport,
            rule=rule,
        )
        answer = check_pooling_order(inputs, time_limit_s=time_limit_s, seed=seed)
        return PoolingResult(answer, scenario)

    def artifacts(self, kind: str, result: Any, *, full: bool = True) -> list[Artifact]:
        """Export files of an outcome.

        ``full=False`` (synchronous answers) gives the quick ones only: the purchase plan
        and ma-cantine CSVs of a plan (tens of ms), or the GeoJSON and map of rounds; the
        XLSX workbook (seconds: every sheet of the plan) comes with jobs.
        """
        if not full and kind in (PROPOSAL, PLAN) and isinstance(result, services.PlanOutcome):
            return _quick_plan_artifacts(kind, result)
        if not full and isinstance(result, cycle.WeekOutcome | cycle.ReplanOutcome):
            return _quick_cycle_artifacts(kind, result)
        with tempfile.TemporaryDirectory(prefix="racines-export-") as tmp:
            folder = Path(tmp)
            if kind in (WEEK, REPLAN) and isinstance(
                result, cycle.WeekOutcome | cycle.ReplanOutcome
            ):
                result.write_outputs(folder)
            elif kind == ROUNDS and isinstance(result, services.RoundsOutcome):
                services.write_rounds_outputs(result, folder)
            elif kind == POOLING and isinstance(result, PoolingResult):
                rounds = result.rounds()
                if rounds is None:
                    return []
                services.write_rounds_outputs(rounds, folder, result.scenario)
            elif kind in (PROPOSAL, PLAN) and isinstance(result, services.PlanOutcome):
                result.write_outputs(folder)
            elif kind in (COMPARISON, CONTRACTS) and hasattr(result, "write"):
                written = result.write(folder)
                return [
                    Artifact(name, media, written[name].read_bytes())
                    for name, media in EXPORTS[kind].items()
                    if name in written
                ]
            else:
                return []
            return _collect(folder, kind)


def _quick_cycle_artifacts(
    kind: str, outcome: cycle.WeekOutcome | cycle.ReplanOutcome
) -> list[Artifact]:
    """The plan's quick exports and the cycle's own tables (CSV, milliseconds)."""
    out = _quick_plan_artifacts(PLAN, outcome.outcome)
    tables = (
        {"orders_by_kitchen.csv": outcome.orders, "prepare_by_producer.csv": outcome.preparation}
        if isinstance(outcome, cycle.WeekOutcome)
        else {
            "changes.csv": outcome.changes,
            "notify_producers.csv": outcome.notify_producers,
            "notify_kitchens.csv": outcome.notify_kitchens,
        }
    )
    media = EXPORTS[kind]
    for name, table in tables.items():
        data = provenance.with_column(
            table.to_csv(index=False).encode("utf-8"), outcome.outcome.provenance
        )
        out.append(Artifact(name, media[name], data))
    return out


def _quick_plan_artifacts(kind: str, outcome: services.PlanOutcome) -> list[Artifact]:
    from solver.reporting import purchase_plan_table, write_macantine_csv

    scenario = outcome.territory.scenario
    media = EXPORTS[kind]
    table = purchase_plan_table(scenario, outcome.plan, travel_source=outcome.check.travel_source)
    plan_csv = provenance.with_column(table.to_csv(index=False).encode("utf-8"), outcome.provenance)
    out = [Artifact("purchase_plan.csv", media["purchase_plan.csv"], plan_csv)]
    with tempfile.TemporaryDirectory(prefix="racines-export-") as tmp:
        path = write_macantine_csv(Path(tmp) / "macantine_achats.csv", scenario, outcome.plan)
        out.append(
            Artifact("macantine_achats.csv", media["macantine_achats.csv"], path.read_bytes())
        )
    note = provenance.MACANTINE_COMPANION
    out.append(Artifact(note, media[note], provenance.companion(outcome.provenance)))
    return out
