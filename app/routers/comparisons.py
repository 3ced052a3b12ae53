"""``POST /v1/comparisons``: territory what-ifs side by side; ``GET`` a scenario's variants."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response
from starlette.concurrency import run_in_threadpool

from app.deps import ResolverDep, RuntimeDep
from app.errors import ApiError
from app.routers.common import ACCEPTED, ERRORS, NOT_FOUND, accepted, enqueue
from app.schemas import NAME_PATTERN, JobOut
from app.tasks import COMPARISON
from app.whatif_schemas import ComparisonRequest
from app.whatif_tasks import check_comparison, resolve_comparison, variant_names

router = APIRouter(tags=["territory"])

_EXAMPLES: dict[str, Any] = {
    "drome_depot": {
        "summary": "The demo against its second depot in the Drôme",
        "value": {
            "scenarios": [
                {"scenario_name": "baronnies"},
                {"scenario_name": "baronnies", "variants": ["drome_depot"]},
            ],
            "weeks": 4,
        },
    },
    "posted_override": {
        "summary": "A what-if posted as an override file",
        "value": {
            "scenarios": [
                {"scenario_name": "baronnies"},
                {
                    "scenario_name": "baronnies",
                    "overrides": [
                        {
                            "name": "budget_plus",
                            "toml": '[[set.canteens]]\nwhere = { id = "dr_*" }\n'
                            "budget_eur_per_meal = 3.5\n",
                        }
                    ],
                },
            ],
            "weeks": 2,
            "rounds": False,
        },
    },
}


@router.post(
    "/v1/comparisons", response_model=JobOut, status_code=202, responses={**ACCEPTED, **ERRORS}
)
async def create_comparison(
    body: Annotated[ComparisonRequest, Body(openapi_examples=_EXAMPLES)], rt: RuntimeDep
) -> Response:
    """Plan two or more scenarios over the same weeks and compare them: always a job (202).

    Each scenario is a bundled one (``scenario_name``) or inline (``scenario``), changed by
    bundled ``variants`` (by name: ``GET /v1/scenarios/{name}/variants``) and posted
    ``overrides`` (TOML text). Every scenario is resolved before the job is queued: an
    unknown variant, an override too large or a broken one answers 422 naming the field
    (``scenarios[1].overrides``) and, for an override, its line and column. The result
    has the summary, per-kitchen, per-platform and per-producer tables; the exports are
    ``compare.xlsx`` and the CSV files.
    """
    request = body.to_request()
    check_comparison(request, rt.settings)
    await run_in_threadpool(resolve_comparison, rt.resolver, request)
    return accepted(enqueue(rt.store, rt.worker, COMPARISON, request))


@router.get(
    "/v1/scenarios/{name}/variants",
    response_model=list[dict[str, str]],
    responses={**ERRORS, **NOT_FOUND},
)
def list_variants(
    name: Annotated[str, Path(min_length=1, max_length=64, pattern=NAME_PATTERN)],
    resolver: ResolverDep,
) -> list[dict[str, str]]:
    """The bundled variants of a bundled scenario: name and description."""
    folder = resolver.folder(name)
    if folder is None:
        known = ", ".join(resolver.names()) or "none"
        msg = f"no bundled scenario named {name!r}; available: {known}"
        raise ApiError.one(404, ["path", "name"], name, msg)
    from solver.scenario import read_override

    out = []
    for v in variant_names(resolver, name):
        ov, _ = read_override(folder / "variants" / f"{v}.toml")
        out.append({"name": v, "description": ov.description if ov is not None else ""})
    return out
