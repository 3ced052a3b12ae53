"""``POST /v1/pooling-checks``: can a producer group, together, honour a big order?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.deps import RuntimeDep
from app.examples import pooling_examples
from app.routers.common import (
    ACCEPTED,
    ERRORS,
    accepted,
    enqueue,
    job_response,
    record_done,
)
from app.schemas import JobOut, PoolingCheckRequest
from app.tasks import POOLING, check_pooling_weeks, group_members, run_pooling

router = APIRouter(prefix="/v1/pooling-checks", tags=["pooling"])


@router.post("", response_model=JobOut, responses={**ACCEPTED, **ERRORS})
def create_pooling_check(
    body: Annotated[PoolingCheckRequest, Body(openapi_examples=pooling_examples())],
    rt: RuntimeDep,
) -> Response:
    """Feasible or not; who supplies what each week; transport; shortfalls and relaxations.

    Answered at once when the order spans at most ``sync_max_weeks`` weeks or members
    deliver themselves, else queued (202). An order the group cannot honour is an answer
    (200) with the weeks and products short, the binding reason and the smallest change.
    """
    settings = rt.settings
    request = body.to_request()
    weeks = check_pooling_weeks(request["order"], settings)
    scenario = rt.resolver.resolve(request)
    group_members(scenario, body.group)
    quick = weeks <= settings.sync_max_weeks or body.order.transport.mode == "each_delivers"
    if body.mode == "job" or (body.mode == "auto" and not quick):
        return accepted(enqueue(rt.store, rt.worker, POOLING, request))
    ceiling = settings.sync_time_limit_s
    out = run_pooling(rt.services, scenario, request, ceiling_s=ceiling, full=False)
    return job_response(record_done(rt.store, POOLING, request, out))
