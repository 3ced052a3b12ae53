"""``POST /v1/weeks``: a week's orders (availability lists, orders already sent kept)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.cycle_schemas import WeekRequest
from app.deps import RuntimeDep
from app.offload import OffLoopRoute
from app.routers.common import ACCEPTED, ERRORS, JOB_ANSWER, sync_or_job
from app.schemas import JobOut
from app.tasks import WEEK, run_week, sync_size

router = APIRouter(prefix="/v1/weeks", tags=["weekly cycle"], route_class=OffLoopRoute)


@router.post("", response_model=JobOut, responses={**JOB_ANSWER, **ACCEPTED, **ERRORS})
async def create_week(body: WeekRequest, rt: RuntimeDep) -> Response:
    """Each kitchen's orders (from whom, by which day and time), each producer's
    preparation, the platform's round, with the plan's and the week's checkers' verdicts.

    The producers' ``availability`` rows replace their offers for the week; the
    ``fixed_orders`` already sent are kept and only the rest is planned. Answered at once
    (a week is small) when the scenario has at most ``sync_max_points`` places, else
    queued (202); ``mode=job`` always queues. Each bad row is a 422 naming it, e.g.
    ``fixed_orders[0].kg``, and so is an order that cannot be kept (more than the week's
    need or the producer's availability).
    """
    settings = rt.settings
    request = body.to_request()
    scenario = await rt.validation.run(rt.resolver.resolve, request)
    return await sync_or_job(
        rt,
        WEEK,
        request,
        sync=body.mode != "job" and sync_size(scenario, settings),
        run=lambda: run_week(
            rt.services, scenario, request, ceiling_s=settings.sync_time_limit_s, full=False
        ),
    )
