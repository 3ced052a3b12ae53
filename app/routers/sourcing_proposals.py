"""``POST /v1/sourcing-proposals``: the cook's purchase plan for one canteen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.deps import RuntimeDep
from app.examples import proposal_examples
from app.routers.common import (
    ACCEPTED,
    ERRORS,
    accepted,
    enqueue,
    job_response,
    record_done,
)
from app.schemas import JobOut, ProposalRequest
from app.tasks import PROPOSAL, check_canteen, check_weeks, run_proposal

router = APIRouter(prefix="/v1/sourcing-proposals", tags=["sourcing"])


@router.post("", response_model=JobOut, responses={**ACCEPTED, **ERRORS})
def create_proposal(
    body: Annotated[ProposalRequest, Body(openapi_examples=proposal_examples())],
    rt: RuntimeDep,
) -> Response:
    """Purchase plan, indicators, explanations and checker verdict for one canteen.

    Answered at once (200, ``status: succeeded``) when the horizon is at most the
    server's ``sync_max_weeks``, else queued (202): poll ``links.self``. An infeasible
    target is an answer (200) with its explanation, not an error.
    """
    settings = rt.settings
    check_weeks(body.weeks, settings)
    request = body.to_request()
    scenario = rt.resolver.resolve(request)
    check_canteen(scenario, body.canteen_id)
    sync = body.mode == "sync" or (body.mode == "auto" and body.weeks <= settings.sync_max_weeks)
    if not sync:
        return accepted(enqueue(rt.store, rt.worker, PROPOSAL, request))
    out = run_proposal(
        rt.services, scenario, request, ceiling_s=settings.sync_time_limit_s, full=False
    )
    return job_response(record_done(rt.store, PROPOSAL, request, out))
