"""The production :class:`app.tasks.Services`: :mod:`app.services` plus what only the API needs.

:mod:`app.services` is the orchestration the CLI uses too (scenario loading and checks,
travel matrix, sourcing, rounds, independent checks); its functions are served as they are.
This module adds the pooling check of an order sent as JSON and turns outcomes into the
export files a job serves.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import provenance, services, whatifs
from app.errors import RequestProblem
from app.jobs import Artifact
from app.tasks import COMPARISON, CONTRACTS, EXPORTS, PLAN, POOLING, PROPOSAL, ROUNDS
from solver.core import Scenario, ScenarioError

logger = logging.getLogger(__name__)

#: File written by the services -> export name served by the API.
_FILE_OF_EXPORT = {
    "purchase_plan.csv": "purchase_plan.csv",
    "purchase_plan.xlsx": "purchase_plan.xlsx",
    "macantine_achats.csv": "macantine_achats.csv",
    "macantine_achats.provenance.txt": "macantine_achats.provenance.txt",
    "routes.geojson": "routes.geojson",
    "map": "map.html",
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
    """:class:`app.tasks.Services` backed by :mod:`app.services` and the real solvers."""

    load_scenario = staticmethod(services.load_scenario)
    propose = staticmethod(services.propose)
    plan_territory = staticmethod(services.plan_territory)
    plan_rounds = staticmethod(services.plan_rounds)
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
        with tempfile.TemporaryDirectory(prefix="racines-export-") as tmp:
            folder = Path(tmp)
            if kind == ROUNDS and isinstance(result, services.RoundsOutcome):
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
