"""``GET /healthz``: liveness, answered on the event loop even while solves run."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter

from app.deps import WorkerDep
from app.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut)
async def healthz(worker: WorkerDep) -> HealthOut:
    """The service is up; how many jobs are running."""
    return HealthOut(status="ok", version=version("racines"), jobs_running=len(worker.running()))
