"""``POST /v1/pooling-checks``: can a producer group, together, honour a big order?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.deps import RuntimeDep
from app.examples import pooling_examples
from app.offload import OffLoopRoute
from app.routers.common import ACCEPTED, ERRORS, JOB_ANSWER, sync_or_job
from app.schemas import JobOut, PoolingCheckRequest
from app.tasks import POOLING, check_pooling, group_members, run_pooling, sync_size

router = APIRouter(prefix="/v1/pooling-checks", tags=["pooling"], route_class=OffLoopRoute)


@router.post("", response_model=JobOut, responses={**JOB_ANSWER, **ACCEPTED, **ERRORS})
async def create_pooling_check(
    body: Annotated[PoolingCheckRequest, Body(openapi_examples=pooling_examples())],
    rt: RuntimeDep,
) -> Response:
    """Feasible or not; who supplies what each week; transport; shortfalls and relaxations.

    Answered at once when the order spans at most ``sync_max_weeks`` weeks (or members
    deliver themselves) and the scenario has at most ``sync_max_points`` places, else
    queued (202). An order the group cannot honour is an answer (200) with the weeks and
    products short, the binding reason and the smallest change.
    """
    settings = rt.settings
    request = body.to_request()
    weeks = check_pooling(body.group, request["order"], settings)
    scenario = await rt.validation.run(rt.resolver.resolve, request)
    group_members(scenario, body.group)
    quick = weeks <= settings.sync_max_weeks or body.order.transport.mode == "each_delivers"
    return await sync_or_job(
        rt,
        POOLING,
        request,
        sync=body.mode != "job" and quick and sync_size(scenario, settings),
        run=lambda: run_pooling(
            rt.services, scenario, request, ceiling_s=settings.sync_time_limit_s, full=False
        ),
    )
