"""``POST /v1/sourcing-proposals``: the cook's purchase plan for one canteen."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.deps import RuntimeDep
from app.examples import proposal_examples
from app.offload import OffLoopRoute
from app.routers.common import ACCEPTED, ERRORS, JOB_ANSWER, sync_or_job
from app.schemas import JobOut, ProposalRequest
from app.tasks import PROPOSAL, check_canteen, check_weeks, run_proposal, sync_size

router = APIRouter(prefix="/v1/sourcing-proposals", tags=["sourcing"], route_class=OffLoopRoute)


@router.post("", response_model=JobOut, responses={**JOB_ANSWER, **ACCEPTED, **ERRORS})
async def create_proposal(
    body: Annotated[ProposalRequest, Body(openapi_examples=proposal_examples())],
    rt: RuntimeDep,
) -> Response:
    """Purchase plan, indicators, explanations and checker verdict for one canteen.

    Answered at once (200, ``status: succeeded``) when the horizon is at most the
    server's ``sync_max_weeks`` and the scenario at most ``sync_max_points`` places, else
    queued (202): poll ``links.self``. ``mode=sync`` follows the same rule; ``mode=job``
    always queues. An infeasible target is an answer (200) with its explanation.
    """
    settings = rt.settings
    check_weeks(body.weeks, settings)
    request = body.to_request()
    scenario = await rt.validation.run(rt.resolver.resolve, request)
    check_canteen(scenario, body.canteen_id)
    small = body.weeks <= settings.sync_max_weeks and sync_size(scenario, settings)
    return await sync_or_job(
        rt,
        PROPOSAL,
        request,
        sync=body.mode != "job" and small,
        run=lambda: run_proposal(
            rt.services, scenario, request, ceiling_s=settings.sync_time_limit_s, full=False
        ),
    )
