"""``POST /v1/rounds``: the platform's delivery rounds for a set of orders and vans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.deps import RuntimeDep
from app.examples import rounds_examples
from app.offload import OffLoopRoute
from app.routers.common import ACCEPTED, ERRORS, JOB_ANSWER, sync_or_job
from app.schemas import JobOut, RoundsRequest
from app.tasks import ROUNDS, check_rounds, run_rounds

router = APIRouter(prefix="/v1/rounds", tags=["rounds"], route_class=OffLoopRoute)


@router.post("", response_model=JobOut, responses={**JOB_ANSWER, **ACCEPTED, **ERRORS})
async def create_rounds(
    body: Annotated[RoundsRequest, Body(openapi_examples=rounds_examples())],
    rt: RuntimeDep,
) -> Response:
    """Routes, GeoJSON, unassigned orders with reasons and the checker's verdict.

    Answered at once when the problem has at most ``sync_max_stops`` stops, else queued
    (202): poll ``links.self`` (``mode=sync`` follows the same rule, ``mode=job`` always
    queues). Orders that cannot be served are listed with a reason code, never an error.
    """
    settings = rt.settings
    request = body.to_request()
    stops = check_rounds(body.problem, settings)
    return await sync_or_job(
        rt,
        ROUNDS,
        request,
        sync=body.mode != "job" and stops <= settings.sync_max_stops,
        run=lambda: run_rounds(
            rt.services, request, ceiling_s=settings.sync_time_limit_s, full=False
        ),
    )
