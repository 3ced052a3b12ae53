"""``/v1/jobs``: status, progress and result of a job; cancel; its export files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from app.deps import StoreDep, WorkerDep
from app.errors import ApiError
from app.jobs import Job, JobStatus, JobStore
from app.provenance import HEADER as PROVENANCE_HEADER
from app.provenance import provenance_of_result
from app.routers.common import ERRORS, JOB_ANSWER, NOT_FOUND, job_response
from app.schemas import JOB_ID_PATTERN, ErrorOut, JobOut
from app.tasks import EXPORTS

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])

JobId = Annotated[
    str, Path(pattern=JOB_ID_PATTERN, description="Job id (32 hex digits).", examples=["0" * 32])
]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "The job is not in a state that allows this."}
}


def _job(store: JobStore, job_id: str) -> Job:
    job = store.get(job_id)
    if job is None:
        raise ApiError.one(404, ["path", "job_id"], job_id, f"no job {job_id!r}")
    return job


@router.get(
    "/{job_id}",
    response_model=JobOut,
    responses={**JOB_ANSWER, **ERRORS, **NOT_FOUND},
    operation_id="get_job",
)
def get_job(job_id: JobId, store: StoreDep) -> Response:
    """Status, progress (0..1) and result of a job (the best so far while it runs)."""
    return job_response(_job(store, job_id))


DELETED: dict[int | str, dict[str, Any]] = {
    204: {"description": "The finished job and its exports were deleted."}
}


@router.delete(
    "/{job_id}",
    response_model=JobOut,
    responses={**JOB_ANSWER, **ERRORS, **NOT_FOUND, **DELETED},
    operation_id="cancel_or_delete_job",
)
def cancel_or_delete_job(job_id: JobId, store: StoreDep, worker: WorkerDep) -> Response:
    """Cancel a job, or delete a finished one.

    A queued job is cancelled at once, a running one at its next progress report (200,
    the job with ``cancel_requested``); a finished job (succeeded, failed or cancelled)
    is deleted with its exports (204), and is 404 afterwards.
    """
    job = _job(store, job_id)
    if job.status.finished:
        store.delete(job_id)
        return Response(status_code=204)
    after = worker.cancel(job_id)
    return job_response(after or job)


_ALL_EXPORTS: dict[str, str] = {}
for _kind_exports in EXPORTS.values():
    _ALL_EXPORTS.update(_kind_exports)


def _export_route(name: str, media_type: str) -> Callable[[str, JobStore], Response]:
    def export(job_id: JobId, store: StoreDep) -> Response:
        job = _job(store, job_id)
        if name not in EXPORTS.get(job.kind, {}):
            have = ", ".join(EXPORTS.get(job.kind, {})) or "none"
            msg = f"a {job.kind} job has no {name}; its exports: {have}"
            raise ApiError.one(404, ["path", "job_id"], job_id, msg)
        if job.status is not JobStatus.SUCCEEDED:
            msg = f"job {job_id} is {job.status.value}; exports exist once it has succeeded"
            raise ApiError.one(409, ["path", "job_id"], job_id, msg)
        art = store.get_artifact(job_id, name)
        if art is None:
            msg = f"job {job_id} produced no {name} (see its result for why)"
            if name.endswith(".xlsx"):
                msg = (
                    f"job {job_id} has no {name}: synchronous answers carry the CSV exports; "
                    "the workbook comes with jobs (send mode=job)"
                )
            raise ApiError.one(404, ["path", "job_id"], job_id, msg)
        headers = {PROVENANCE_HEADER: provenance_of_result(job.result)}
        if not name.endswith(("map", ".geojson")):
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(content=art.content, media_type=art.media_type, headers=headers)

    export.__name__ = "export_" + name.replace(".", "_")
    export.__doc__ = f"The job's ``{name}`` export ({media_type.split(';')[0]})."
    return export


for _name, _media in _ALL_EXPORTS.items():
    router.add_api_route(
        f"/{{job_id}}/{_name}",
        _export_route(_name, _media),
        methods=["GET"],
        response_class=Response,
        responses={
            200: {
                "content": {_media.split(";")[0]: {}},
                "description": f"The {_name} file.",
                "headers": {
                    PROVENANCE_HEADER: {
                        "description": "Synthetic data? Estimated drive times?",
                        "schema": {"type": "string"},
                    }
                },
            },
            **ERRORS,
            **NOT_FOUND,
            **CONFLICT,
        },
        name=f"export_{_name}",
    )
