"""Scenario JSON: the HTTP API's body, the same records as a folder's tables.

A scenario JSON object has ``settings`` and one list per collection of
:class:`~solver.core.Scenario` (a platform's vans nested in it). Problems are located as
``file`` = the collection (``offers``), ``row`` = the 1-based position in its list and
``column`` = the field (``vans[1].capacity_kg`` inside a platform).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from solver.core import (
    Canteen,
    DirectDemand,
    MenuItem,
    Offer,
    Platform,
    Problem,
    Producer,
    Product,
    ReferenceOffer,
    Scenario,
    ScenarioError,
    Settings,
)
from solver.scenario.records import humanize, settings_from, shown
from solver.scenario.tables import SourceMap
from solver.scenario.validation import scenario_warnings, validate_scenario

logger = logging.getLogger(__name__)

_JSON_COLLECTIONS: dict[str, type[BaseModel]] = {
    "products": Product,
    "producers": Producer,
    "offers": Offer,
    "canteens": Canteen,
    "menu": MenuItem,
    "direct_demand": DirectDemand,
    "reference_offers": ReferenceOffer,
    "platforms": Platform,
}


def _payload(
    data: str | bytes | Mapping[str, Any], problems: list[Problem]
) -> Mapping[str, Any] | None:
    """The scenario object of ``data``, or None with a problem when it is not one."""
    try:
        payload = json.loads(data) if isinstance(data, str | bytes) else data
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("scenario", 0, "", "", f"not valid JSON: {exc}"))
        return None
    if not isinstance(payload, Mapping):
        problems.append(Problem("scenario", 0, "", "", "a scenario is a JSON object"))
        return None
    for key in payload:
        if key != "settings" and key not in _JSON_COLLECTIONS:
            problems.append(Problem("scenario", 0, str(key), "", "unknown field"))
    return payload


def _build_item(
    name: str, model: type[BaseModel], i: int, item: Any, problems: list[Problem]
) -> BaseModel | None:
    """Validate item ``i`` (0-based) of collection ``name``; None with its problems."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        for err in exc.errors():
            col, value, msg = humanize(model, err, item if isinstance(item, Mapping) else {})
            problems.append(Problem(name, i + 1, _json_column(err, col), value, msg))
        return None


def collect_scenario_json(
    data: str | bytes | Mapping[str, Any],
) -> tuple[Scenario, SourceMap, list[Problem]]:
    """Build a scenario from its JSON form as far as possible, never raising for bad content.

    Problems are located as ``file`` = the collection (``offers``), ``row`` = the 1-based
    position in its list, ``column`` = the field (``vans[1].capacity_kg`` inside a platform).
    """
    problems: list[Problem] = []
    source = SourceMap()
    payload = _payload(data, problems)
    if payload is None:
        return Scenario(), source, problems
    settings = settings_from(payload.get("settings", {}), "settings", problems)
    built: dict[str, list[BaseModel]] = {}
    flat_van = 0
    for name, model in _JSON_COLLECTIONS.items():
        items = payload.get(name, [])
        built[name] = []
        if not isinstance(items, list):
            problems.append(Problem(name, 0, "", "", "must be a list"))
            continue
        for i, item in enumerate(items):
            obj = _build_item(name, model, i, item, problems)
            if obj is None:
                raw = item if isinstance(item, Mapping) else {}
                source.unbuilt.setdefault(name, []).append({k: shown(v) for k, v in raw.items()})
                continue
            source.rows[(name, len(built[name]))] = (name, i + 1)
            if isinstance(obj, Platform):
                for k, _ in enumerate(obj.vans):
                    source.rows[("vans", flat_van)] = (f"platforms[{i + 1}].vans", k + 1)
                    flat_van += 1
            built[name].append(obj)
    scenario = Scenario(
        settings=settings or Settings(),
        **{k: tuple(v) for k, v in built.items()},  # type: ignore[arg-type]
    )
    return scenario, source, problems


def _json_column(err: Mapping[str, Any], fallback: str) -> str:
    """``vans[1].capacity_kg`` for an error inside a platform's van list."""
    loc = tuple(err.get("loc", ()))
    if len(loc) >= 3 and loc[0] == "vans" and isinstance(loc[1], int):
        rest = ".".join(str(x) for x in loc[2:] if not isinstance(x, int))
        return f"vans[{loc[1] + 1}].{rest}" if rest else f"vans[{loc[1] + 1}]"
    return fallback


def scenario_from_json(data: str | bytes | Mapping[str, Any]) -> Scenario:
    """Build a scenario from its JSON form (the HTTP API's body), row rules only.

    Raises
    ------
    ScenarioError
        With one problem per invalid field (see :func:`collect_scenario_json`).
    """
    scenario, _, problems = collect_scenario_json(data)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario_json(data: str | bytes | Mapping[str, Any]) -> Scenario:
    """Build a scenario from JSON and check every rule, field and cross-record.

    Raises
    ------
    ScenarioError
        With every problem found at once.
    """
    scenario, source, problems = collect_scenario_json(data)
    problems.extend(validate_scenario(scenario, source))
    if problems:
        raise ScenarioError(problems)
    for w in scenario_warnings(scenario, source):
        logger.warning("%s", w)
    return scenario


def scenario_to_json(scenario: Scenario) -> str:
    """JSON text of a scenario (round-trips through :func:`scenario_from_json`)."""
    return scenario.model_dump_json(indent=1)
