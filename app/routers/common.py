"""Helpers shared by the routers: error responses for the docs, job answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Response
from starlette.concurrency import run_in_threadpool

from app.deps import Runtime
from app.errors import ApiError
from app.jobs import Job, JobStatus, JobStore
from app.schemas import ErrorOut, JobOut
from app.worker import TaskOutput, Worker

#: Error answers every route documents (all with the :class:`ErrorOut` body).
ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorOut, "description": "Request body over the size limit."},
    422: {"model": ErrorOut, "description": "Invalid input: each item names field and value."},
    503: {
        "model": ErrorOut,
        "description": "The job queue or the validation pool is full: retry after Retry-After s.",
    },
    500: {"model": ErrorOut, "description": "Internal error, with an error id (never a trace)."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "No such resource."}
}
#: OpenAPI links from an answer holding a job to the job's own routes (stateful clients
#: and schemathesis' stateful run follow them: create, poll, cancel, delete).
JOB_LINKS: dict[str, Any] = {
    "GetJob": {
        "operationId": "get_job",
        "parameters": {"job_id": "$response.body#/id"},
        "description": "Poll the job: status, progress, result.",
    },
    "CancelOrDeleteJob": {
        "operationId": "cancel_or_delete_job",
        "parameters": {"job_id": "$response.body#/id"},
        "description": "Cancel the job, or delete it once finished.",
    },
}
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobOut, "description": "Queued as a job: poll links.self.", "links": JOB_LINKS}
}
#: The 200 answer of a route answering with a job (a synchronous answer or the job itself).
JOB_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The job, finished when answered at once.", "links": JOB_LINKS}
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
    """Store a job and hand it to the worker; 503 with ``Retry-After`` when the queue is full.

    Raises
    ------
    ApiError
        When ``worker.max_queued`` jobs are already waiting.
    """
    if worker.max_queued is not None:
        waiting = store.count(JobStatus.QUEUED)
        if waiting >= worker.max_queued:
            msg = (
                f"{waiting} jobs are waiting, the most this server queues "
                f"(setting {worker.queue_setting}); retry in {worker.retry_after_s} s"
            )
            headers = {"Retry-After": str(worker.retry_after_s)}
            raise ApiError.one(503, ["body"], None, msg, headers=headers)
    job = store.create(kind, request)
    worker.submit(job.id)
    return job


async def queue_job(rt: Runtime, kind: str, request: dict[str, Any]) -> Response:
    """Queue a job (202 with its URL); the store is called on a worker thread."""
    job = await run_in_threadpool(enqueue, rt.store, rt.worker, kind, request)
    return accepted(job)


async def sync_or_job(
    rt: Runtime,
    kind: str,
    request: dict[str, Any],
    *,
    sync: bool,
    run: Callable[[], TaskOutput],
) -> Response:
    """The answer of a solving route: ``run()`` now (200) when ``sync``, else a job (202).

    Store calls and the solve run on worker threads, never on the event loop.
    """
    if not sync:
        return await queue_job(rt, kind, request)
    out = await run_in_threadpool(run)
    return job_response(await run_in_threadpool(record_done, rt.store, kind, request, out))


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
