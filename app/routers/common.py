"""Helpers shared by the routers: error responses for the docs, job answers."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from app.jobs import Job, JobStatus, JobStore
from app.schemas import ErrorOut, JobOut
from app.worker import TaskOutput, Worker

#: Error answers every route documents (all with the :class:`ErrorOut` body).
ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "Request body over the size limit."},
    422: {"model": ErrorOut, "description": "Invalid input: each item names field and value."},
    500: {"model": ErrorOut, "description": "Internal error, with an error id (never a trace)."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such resource."}
}
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobOut, "description": "Queued as a job: poll links.self."}
}


def job_response(job: Job, status_code: int = 200) -> Response:
    """A job as the JSON answer, serialised once by pydantic (results can weigh megabytes).

    Returning a ``Response`` skips FastAPI's generic re-encoding of the ``response_model``
    (ten times slower on a large result); the body is still exactly :class:`JobOut`.
    """
    out = JobOut.from_job(job)
    headers = {"Location": out.links["self"]} if status_code == 202 else None
    return Response(
        content=out.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def accepted(job: Job) -> Response:
    """202 answer for a queued job, with its URL in ``Location``."""
    return job_response(job, 202)


def enqueue(store: JobStore, worker: Worker, kind: str, request: dict[str, Any]) -> Job:
    """Store a job and hand it to the worker."""
    job = store.create(kind, request)
    worker.submit(job.id)
    return job


def record_done(store: JobStore, kind: str, request: dict[str, Any], out: TaskOutput) -> Job:
    """Store a synchronous answer as a finished job, so its exports can be fetched."""
    job = store.create(kind, request, status=JobStatus.RUNNING, message="synchronous")
    store.put_artifacts(job.id, out.artifacts)
    store.update(
        job.id, status=JobStatus.SUCCEEDED, progress=1.0, message="done", result=out.result
    )
    done = store.get(job.id)
    assert done is not None
    return done
