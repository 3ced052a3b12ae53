"""``/v1/scenarios``: the bundled scenarios, so a caller can start from the demo territory."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path

from app.deps import ResolverDep
from app.errors import ApiError
from app.routers.common import ERRORS, NOT_FOUND
from app.schemas import NAME_PATTERN, ScenarioSummary
from solver.scenario import scenario_to_json

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])


@router.get("", response_model=list[ScenarioSummary], responses=ERRORS)
def list_scenarios(resolver: ResolverDep) -> list[ScenarioSummary]:
    """Bundled scenarios with their size."""
    out = []
    for name in resolver.names():
        s = resolver.bundled(name)
        out.append(
            ScenarioSummary(
                name=name,
                description=s.settings.description,
                canteens=len(s.canteens),
                producers=len(s.producers),
                synthetic=s.settings.synthetic,
                link=f"/v1/scenarios/{name}",
            )
        )
    return out


@router.get("/{name}", response_model=dict[str, Any], responses={**ERRORS, **NOT_FOUND})
def get_scenario(
    name: Annotated[str, Path(min_length=1, max_length=64, pattern=NAME_PATTERN)],
    resolver: ResolverDep,
) -> dict[str, Any]:
    """A bundled scenario as JSON: the body of ``scenario`` in the other requests."""
    if resolver.folder(name) is None:
        known = ", ".join(resolver.names()) or "none"
        msg = f"no bundled scenario named {name!r}; available: {known}"
        raise ApiError.one(404, ["path", "name"], name, msg)
    scenario = resolver.bundled(name, field="name")
    data: dict[str, Any] = json.loads(scenario_to_json(scenario))
    return data
