"""The what-if jobs as plain functions: comparisons of scenarios and yearly contracts.

Like :mod:`app.tasks`: the routers and the worker run the same code, solving goes through
the :class:`~app.tasks.Services` object. This module resolves a request's scenarios —
bundled or inline, with bundled variants by name and override files posted as text —
and enforces the limits (scenarios per comparison, size of an override, weeks).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import ApiError, RequestProblem, scenario_error_items
from app.tasks import (
    COMPARISON,
    CONTRACTS,
    Progress,
    ScenarioResolver,
    Services,
    check_scenario_limits,
    check_weeks,
)
from app.worker import JobProgress, Task, TaskOutput
from solver.core import Scenario, ScenarioError, SolveParams
from solver.scenario import SourceMap, apply_override, collect_scenario_variant, parse_override

#: Folder of a bundled scenario holding its variants (``<name>.toml``).
VARIANTS_DIR = "variants"


def variant_names(resolver: ScenarioResolver, scenario_name: str) -> list[str]:
    """Names of the bundled variants of a bundled scenario (empty when it has none)."""
    folder = resolver.folder(scenario_name)
    if folder is None or not (folder / VARIANTS_DIR).is_dir():
        return []
    return sorted(p.stem for p in (folder / VARIANTS_DIR).glob("*.toml"))


def _located(exc: ScenarioError, field: str) -> ApiError:
    """A 422 whose items are located under the request's ``field``."""
    prefix: list[str | int] = ["body"]
    for part in field.replace("]", "").split("."):
        name, _, index = part.partition("[")
        prefix.append(name)
        if index:
            prefix.append(int(index))
    return ApiError(422, scenario_error_items(exc, prefix=prefix))


def check_overrides(item: Mapping[str, Any], field: str, settings: Settings) -> None:
    """Reject a posted override larger than the ``max_override_bytes`` setting."""
    for j, ov in enumerate(item.get("overrides") or []):
        size = len(str(ov.get("toml", "")).encode("utf-8"))
        if size > settings.max_override_bytes:
            msg = (
                f"{size} bytes exceed the limit of {settings.max_override_bytes} "
                f"(setting {settings.env_name('max_override_bytes')})"
            )
            raise RequestProblem(f"{field}overrides[{j}].toml", size, msg)


def resolve_variant(
    resolver: ScenarioResolver, item: Mapping[str, Any], field: str = ""
) -> Scenario:
    """The scenario an item names: its base (bundled or inline), then its bundled
    variants, then its posted overrides; ``field`` prefixes the located errors
    (``scenarios[1].``).

    Raises
    ------
    RequestProblem, ApiError
        An unknown variant, an override too large, a broken override (422 with every
        problem: override, line, column).
    """
    check_overrides(item, field, resolver.settings)
    texts = [(f"{o['name']}.toml", str(o["toml"])) for o in item.get("overrides") or []]
    if item.get("scenario") is not None:
        base = resolver.resolve({"scenario": item["scenario"]})
        scenario = _apply_texts(base, texts, field)
    else:
        name = str(item.get("scenario_name") or "")
        folder = resolver.folder(name)
        if folder is None:  # no such bundled scenario: bundled() says so
            return resolver.bundled(name, field=f"{field}scenario_name")
        known = variant_names(resolver, name)
        for j, v in enumerate(item.get("variants") or []):
            if v not in known:
                msg = (
                    f"no bundled variant {v!r} of {name!r}; available: {', '.join(known) or 'none'}"
                )
                raise RequestProblem(f"{field}variants[{j}]", v, msg)
        files: list[str | Path] = [
            folder / VARIANTS_DIR / f"{v}.toml" for v in item.get("variants") or []
        ]
        if not files and not texts:
            scenario = resolver.bundled(name, field=f"{field}scenario_name")
        else:
            scenario = _variant_of_folder(folder, files, texts, field)
    check_scenario_limits(scenario, resolver.settings)
    return scenario


#: Variants of bundled scenarios already read: (folder, stamp, files, texts) -> scenario.
_VARIANTS: dict[tuple[Any, ...], Scenario] = {}
_VARIANTS_LOCK = threading.Lock()
_VARIANTS_KEPT = 16


def _variant_of_folder(
    folder: Path, files: list[str | Path], texts: list[tuple[str, str]], field: str
) -> Scenario:
    """A bundled folder changed by variant files and texts (cached until a file changes)."""
    paths = [*folder.iterdir(), *(Path(f) for f in files)]
    stamp = max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)
    key = (str(folder), stamp, tuple(str(f) for f in files), tuple(texts))
    with _VARIANTS_LOCK:
        hit = _VARIANTS.get(key)
    if hit is not None:
        return hit
    scenario, _, problems = collect_scenario_variant(folder, files, texts=texts)
    if problems:
        raise _located(ScenarioError(problems), f"{field}overrides")
    with _VARIANTS_LOCK:
        if len(_VARIANTS) >= _VARIANTS_KEPT:
            _VARIANTS.pop(next(iter(_VARIANTS)))
        _VARIANTS[key] = scenario
    return scenario


def _apply_texts(base: Scenario, texts: Sequence[tuple[str, str]], field: str) -> Scenario:
    """An inline scenario changed by posted overrides."""
    scenario, source = base, SourceMap()
    for name, text in texts:
        ov, problems = parse_override(text, name)
        if ov is not None and not problems:
            scenario, source, problems = apply_override(scenario, source, ov)
        if problems:
            raise _located(ScenarioError(problems), f"{field}overrides")
    return scenario


def _params(request: Mapping[str, Any], ceiling_s: float) -> SolveParams:
    """The request's time limit (capped by the server's) and seed."""
    asked = request.get("time_limit_s")
    limit = min(float(asked), ceiling_s) if asked is not None else ceiling_s
    return SolveParams(time_limit_s=limit, seed=int(request.get("seed", 0)))


def check_comparison(request: Mapping[str, Any], settings: Settings) -> None:
    """Reject more scenarios or weeks than the settings allow."""
    n = len(request.get("scenarios") or [])
    if n > settings.max_compare_scenarios:
        msg = (
            f"{n} scenarios exceed the limit of {settings.max_compare_scenarios} "
            f"(setting {settings.env_name('max_compare_scenarios')})"
        )
        raise RequestProblem("scenarios", n, msg)
    if request.get("weeks") is not None:
        check_weeks(int(request["weeks"]), settings)
    for i, item in enumerate(request.get("scenarios") or []):
        check_overrides(item, f"scenarios[{i}].", settings)


def resolve_comparison(
    resolver: ScenarioResolver, request: Mapping[str, Any]
) -> list[tuple[str, Scenario]]:
    """Each scenario of a comparison with its name (``settings.name``)."""
    out = []
    for i, item in enumerate(request.get("scenarios") or []):
        sc = resolve_variant(resolver, item, f"scenarios[{i}].")
        out.append((sc.settings.name, sc))
    return out


def run_comparison(
    services: Services,
    scenarios: Sequence[tuple[str, Scenario]],
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
) -> TaskOutput:
    """Plan and compare the scenarios."""
    weeks = request.get("weeks")
    result = services.compare(
        scenarios,
        weeks=int(weeks) if weeks is not None else None,
        params=_params(request, ceiling_s),
        with_rounds=bool(request.get("rounds", True)),
        progress=progress,
    )
    return TaskOutput(result.to_dict(), services.artifacts(COMPARISON, result))


def run_contracts(
    services: Services,
    scenario: Scenario,
    request: Mapping[str, Any],
    *,
    ceiling_s: float,
    progress: Progress | None = None,
) -> TaskOutput:
    """Plan and propose contracts."""
    weeks = request.get("weeks")
    result = services.contracts(
        scenario,
        weeks=int(weeks) if weeks is not None else None,
        params=_params(request, ceiling_s),
        with_rounds=bool(request.get("rounds", True)),
        progress=progress,
    )
    return TaskOutput(result.to_dict(), services.artifacts(CONTRACTS, result))


def whatif_tasks(
    services: Services, resolver: ScenarioResolver, settings: Settings
) -> dict[str, Task]:
    """The worker's tasks of the what-if jobs."""
    ceiling = settings.job_time_limit_s

    def comparison(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenarios = resolve_comparison(resolver, request)
        progress.check()
        return run_comparison(services, scenarios, request, ceiling_s=ceiling, progress=progress)

    def contracts(request: Mapping[str, Any], progress: JobProgress) -> TaskOutput:
        scenario = resolve_variant(resolver, request)
        progress.check()
        return run_contracts(services, scenario, request, ceiling_s=ceiling, progress=progress)

    return {COMPARISON: comparison, CONTRACTS: contracts}
