"""The production :class:`app.tasks.Services`: the API's bridge to the shared services.

Scenario loading and validation are :mod:`solver.scenario_io`'s; proposals and territory
plans are :mod:`app.services`' (the orchestration the CLI uses too); rounds are
:func:`solver.routing.solve_rounds`. This module also turns results into export files.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.jobs import Artifact
from app.tasks import EXPORTS, PLAN, PROPOSAL, ROUNDS, Progress
from solver.domain import Scenario
from solver.routing import RoundsProblem, RoundsResult, solve_rounds
from solver.scenario_io import load_scenario, load_scenario_json

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoundsOutcome:
    """A rounds result with its problem (GeoJSON and the map need the sites)."""

    problem: RoundsProblem
    result: RoundsResult

    def to_dict(self) -> dict[str, Any]:
        """VROOM-like routes, unassigned with reasons, summary, check, and GeoJSON."""
        from solver.routing_export import to_geojson, to_json

        return {**to_json(self.result), "geojson": to_geojson(self.result, self.problem)}


def rounds_artifacts(outcome: RoundsOutcome) -> list[Artifact]:
    """``routes.geojson`` and the HTML ``map`` of a rounds outcome."""
    import json

    from solver.routing_export import to_geojson, to_map_html

    media = EXPORTS[ROUNDS]
    geo = to_geojson(outcome.result, outcome.problem)
    with tempfile.TemporaryDirectory(prefix="racines-map-") as tmp:
        path = to_map_html(outcome.result, outcome.problem, Path(tmp) / "map.html")
        html = Path(path).read_bytes()
    return [
        Artifact("routes.geojson", media["routes.geojson"], json.dumps(geo).encode()),
        Artifact("map", media["map"], html),
    ]


class AppServices:
    """:class:`app.tasks.Services` backed by the real solvers."""

    def load_scenario(self, source: Path | Mapping[str, Any]) -> Scenario:
        """A validated scenario from a folder or its JSON form (raises ScenarioError)."""
        if isinstance(source, Path):
            return load_scenario(source)
        return load_scenario_json(source)

    def propose(
        self,
        scenario: Scenario,
        canteen_id: str,
        *,
        weeks: int,
        time_limit_s: float,
        seed: int,
        progress: Progress | None = None,
    ) -> Any:
        """The cook's proposal (:func:`app.services.propose`)."""
        from app import services  # type: ignore[attr-defined]  # lands with app/services.py
        from solver.params import SolveParams

        params = SolveParams(time_limit_s=time_limit_s, seed=seed)
        return services.propose(scenario, canteen_id, weeks=weeks, params=params, progress=progress)

    def plan_territory(
        self,
        scenario: Scenario,
        *,
        time_limit_s: float,
        seed: int,
        progress: Progress | None = None,
    ) -> Any:
        """The territory plan (:func:`app.services.plan_territory`)."""
        from app import services  # type: ignore[attr-defined]  # lands with app/services.py
        from solver.params import SolveParams

        params = SolveParams(time_limit_s=time_limit_s, seed=seed)
        return services.plan_territory(scenario, params=params, progress=progress)

    def plan_rounds(
        self,
        problem: RoundsProblem,
        *,
        routing_mode: str,
        time_limit_s: float,
        seed: int,
        progress: Progress | None = None,
    ) -> RoundsOutcome:
        """Rounds (:func:`solver.routing.solve_rounds`)."""
        mode: Literal["direct", "cross_dock"] = (
            "cross_dock" if routing_mode == "cross_dock" else "direct"
        )
        result = solve_rounds(problem, time_limit_s=time_limit_s, seed=seed, mode=mode)
        return RoundsOutcome(problem, result)

    def artifacts(self, kind: str, result: Any) -> list[Artifact]:
        """Export files of a result."""
        if kind == ROUNDS and isinstance(result, RoundsOutcome):
            return rounds_artifacts(result)
        if kind in (PROPOSAL, PLAN):
            return plan_artifacts(kind, result)
        return []


def plan_artifacts(kind: str, result: Any) -> list[Artifact]:
    """Purchase plan CSV/XLSX and the ma-cantine CSV of a proposal or plan."""
    from solver.exports import write_plan_outputs

    media = EXPORTS[kind]
    out: list[Artifact] = []
    with tempfile.TemporaryDirectory(prefix="racines-export-") as tmp:
        write_plan_outputs(result, Path(tmp))
        for name, media_type in media.items():
            path = Path(tmp) / name
            if path.is_file():
                out.append(Artifact(name, media_type, path.read_bytes()))
    return out
