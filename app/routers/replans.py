"""``POST /v1/replans``: re-plan the weeks left after a shortfall, changing as few order
lines as possible."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

from app.cycle_schemas import ReplanRequest
from app.deps import RuntimeDep
from app.errors import RequestProblem
from app.jobs import JobStatus, JobStore
from app.offload import OffLoopRoute
from app.routers.common import ACCEPTED, ERRORS, JOB_ANSWER, sync_or_job
from app.schemas import JobOut
from app.tasks import PLAN, REPLAN, check_weeks, run_replan, sync_size

router = APIRouter(prefix="/v1/replans", tags=["weekly cycle"], route_class=OffLoopRoute)


def from_plan_job(store: JobStore, job_id: str, request: dict[str, Any]) -> dict[str, Any]:
    """The request with the plan and scenario of a finished plan (or re-plan) job.

    Raises
    ------
    RequestProblem
        When there is no such job, or it is not a succeeded plan or re-plan.
    """
    job = store.get(job_id)
    if job is None:
        raise RequestProblem("plan_job_id", job_id, "no such job")
    if job.kind not in (PLAN, REPLAN) or job.status is not JobStatus.SUCCEEDED:
        msg = f"a {job.kind} job that has {job.status.value}: give a succeeded plan job"
        raise RequestProblem("plan_job_id", job_id, msg)
    result, asked = job.result or {}, job.request or {}
    scenario = {k: asked[k] for k in ("scenario", "scenario_name") if asked.get(k) is not None}
    plan = {"weeks": result.get("weeks", []), "lines": result.get("purchase_plan", [])}
    return {**request, **scenario, "plan": plan, "plan_job_id": job_id}


@router.post("", response_model=JobOut, responses={**JOB_ANSWER, **ACCEPTED, **ERRORS})
async def create_replan(body: ReplanRequest, rt: RuntimeDep) -> Response:
    """A new plan for the weeks left after ``shortfalls`` (a producer loses ``loss_pct`` %
    of a product, or ``*`` every product, from ``from_week``; 100 = drops out): the
    weeks before are kept, the changed order lines listed (week, kitchen, supplier,
    product, kg before and after) with who must be told, and the plan's and re-plan's
    checkers' verdicts.

    The plan is inline (``plan`` with its weeks and lines, and its scenario) or a finished
    plan job's (``plan_job_id``). Answered at once when the plan has at most the server's
    ``sync_max_weeks`` weeks and the scenario at most ``sync_max_points`` places, else
    queued (202): poll ``links.self``.
    """
    settings = rt.settings
    request = body.to_request()
    if body.plan_job_id is not None:
        request = await run_in_threadpool(from_plan_job, rt.store, body.plan_job_id, request)
    n_weeks = len(request["plan"]["weeks"])
    check_weeks(n_weeks, settings)
    scenario = await rt.validation.run(rt.resolver.resolve, request)
    small = n_weeks <= settings.sync_max_weeks and sync_size(scenario, settings)
    return await sync_or_job(
        rt,
        REPLAN,
        request,
        sync=body.mode != "job" and small,
        run=lambda: run_replan(
            rt.services, scenario, request, ceiling_s=settings.sync_time_limit_s, full=False
        ),
    )
