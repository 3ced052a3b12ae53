"""``POST /v1/contracts``: yearly contracts proposed from a school-year plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from starlette.concurrency import run_in_threadpool

from app.deps import RuntimeDep
from app.routers.common import ACCEPTED, ERRORS, accepted, enqueue
from app.schemas import JobOut
from app.tasks import CONTRACTS, check_weeks
from app.whatif_schemas import ContractsRequest
from app.whatif_tasks import check_overrides, resolve_variant

router = APIRouter(prefix="/v1/contracts", tags=["territory"])

_EXAMPLES: dict[str, Any] = {
    "school_year": {
        "summary": "The demo's school year",
        "value": {"scenario_name": "baronnies"},
    },
    "short": {
        "summary": "Eight weeks, the Drôme depot variant",
        "value": {"scenario_name": "baronnies", "variants": ["drome_depot"], "weeks": 8},
    },
}


@router.post("", response_model=JobOut, status_code=202, responses={**ACCEPTED, **ERRORS})
async def create_contracts(
    body: Annotated[ContractsRequest, Body(openapi_examples=_EXAMPLES)], rt: RuntimeDep
) -> Response:
    """Plan the school year (or ``weeks``) and propose contracts: always a job (202).

    One contract per kitchen and producer, monthly volumes and prices, a backup supplier
    for every line (another eligible farm with spare capacity, else the wholesaler), and
    the kitchens with a contract with a market gardener; volumes and backups are checked
    independently (``result.check``). The scenario is resolved first: a bad one, an
    unknown variant or a broken override answers 422 naming the field.
    """
    request = body.to_request()
    if body.weeks is not None:
        check_weeks(body.weeks, rt.settings)
    check_overrides(request, "", rt.settings)
    await run_in_threadpool(resolve_variant, rt.resolver, request)
    return accepted(enqueue(rt.store, rt.worker, CONTRACTS, request))
