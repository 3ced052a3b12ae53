"""``POST /v1/rounds``: the platform's delivery rounds for a set of orders and vans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response

from app.deps import RuntimeDep
from app.examples import rounds_examples
from app.routers.common import (
    ACCEPTED,
    ERRORS,
    accepted,
    enqueue,
    job_response,
    record_done,
)
from app.schemas import JobOut, RoundsRequest
from app.tasks import ROUNDS, check_rounds, run_rounds

router = APIRouter(prefix="/v1/rounds", tags=["rounds"])


@router.post("", response_model=JobOut, responses={**ACCEPTED, **ERRORS})
def create_rounds(
    body: Annotated[RoundsRequest, Body(openapi_examples=rounds_examples())],
    rt: RuntimeDep,
) -> Response:
    """Routes, GeoJSON, unassigned orders with reasons and the checker's verdict.

    Answered at once when the problem has at most ``sync_max_stops`` stops, else queued
    (202): poll ``links.self``. Orders that cannot be served are listed with a reason
    code, never an error.
    """
    settings = rt.settings
    request = body.to_request()
    stops = check_rounds(body.problem, settings)
    sync = body.mode == "sync" or (body.mode == "auto" and stops <= settings.sync_max_stops)
    if not sync:
        return accepted(enqueue(rt.store, rt.worker, ROUNDS, request))
    out = run_rounds(rt.services, request, ceiling_s=settings.sync_time_limit_s, full=False)
    return job_response(record_done(rt.store, ROUNDS, request, out))
