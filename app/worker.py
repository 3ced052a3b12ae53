"""Background worker: runs jobs off the event loop, with time limits, progress and cancel.

A fixed pool of daemon threads takes job ids from a queue. A job's *task* (a function of
its kind, see :mod:`app.tasks`) gets the stored request and a :class:`JobProgress`; each
progress report is written to the store (with the best result so far, when given) and is
also where a job learns it must stop: on ``DELETE`` (cancelled), on its time limit
(failed), or on server shutdown (put back in the queue, resumed at the next start).

Solvers release the GIL while they search (OR-Tools, PyVRP are C++), so threads give real
parallelism for the solve itself and keep the event loop free for ``/healthz`` and polls.

On start, every job left ``queued`` or ``running`` in the store (a killed or stopped
server) is re-queued and run again: nothing is lost. Each start of a job counts an attempt
(a clean shutdown gives it back); a job found ``running`` at start-up after
``max_attempts`` attempts is the likely cause of the crashes and is failed instead
(``error.code = "crashed"``). The end of a job (storing its exports and its result) is
inside the same error handling as the solve: a job always ends ``succeeded``, ``failed``
or ``cancelled``. Finished jobs are deleted ``retention_s`` after they ended.

Limits of the design: a thread cannot be killed, so a solve that never reports progress
runs to its own solver time limit; past ``time_limit_s + grace_s`` the watchdog fails the
job at once and its late result is dropped. The worker lives in one process: run one
uvicorn process per database (``racines serve --workers N`` means N solver threads).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi.exceptions import RequestValidationError

from app.errors import RequestProblem, domain_error_items, validation_items
from app.jobs import Artifact, Job, JobStatus, JobStore
from solver.core import ScenarioError

logger = logging.getLogger(__name__)


class JobStopped(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised inside a task by :class:`JobProgress` when the job must stop."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class TaskOutput:
    """What a task returns: its JSON result and its export files."""

    result: dict[str, Any]
    artifacts: list[Artifact] = field(default_factory=list)


class JobProgress:
    """Progress reporter handed to a task; raises :class:`JobStopped` when asked to stop.

    Call it as ``progress(fraction, message)`` or ``progress(fraction, message, partial)``
    with ``partial`` the best result so far (JSON-ready dict). Writes are throttled to
    one every ``min_interval_s`` unless a partial result is given.
    """

    def __init__(
        self,
        store: JobStore,
        job_id: str,
        should_stop: Callable[[], str | None],
        *,
        min_interval_s: float = 0.2,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self._should_stop = should_stop
        self._min_interval_s = min_interval_s
        self._last = 0.0

    def check(self) -> None:
        """Raise :class:`JobStopped` when the job has been asked to stop."""
        reason = self._should_stop()
        if reason is not None:
            raise JobStopped(reason)

    def __call__(
        self,
        fraction: float | None = None,
        message: str = "",
        partial: Mapping[str, Any] | None = None,
    ) -> None:
        """Report progress (0..1), a message and optionally the best result so far."""
        self.check()
        now = time.monotonic()
        if partial is None and now - self._last < self._min_interval_s:
            return
        self._last = now
        self.store.update(
            self.job_id,
            progress=fraction,
            message=message or None,
            result=partial,
            only_if=(JobStatus.RUNNING,),
        )


Task = Callable[[Mapping[str, Any], JobProgress], TaskOutput]

_CANCEL = "cancelled"
_TIMEOUT = "time_limit"
_SHUTDOWN = "shutdown"


class Worker:
    """Runs queued jobs on ``workers`` threads.

    Parameters
    ----------
    store
        Where jobs live.
    tasks
        Task function per job kind.
    workers
        Number of jobs run at once. Default 1.
    time_limit_s
        Hard ceiling on a job's run time, seconds; the job is failed past
        ``time_limit_s + grace_s`` (its own solver limit should stop it first).
    grace_s
        Extra seconds granted before the ceiling applies.
    max_attempts
        Starts after which a job found ``running`` at start-up is failed, not re-run.
    retention_s
        Finished jobs (and their exports) are deleted this long after their last change.
    cleanup_interval_s
        How often the watchdog deletes the jobs past retention.
    max_queued
        Most jobs waiting at once (None: no bound); :func:`app.routers.common.enqueue`
        refuses more with a 503 and ``Retry-After: retry_after_s``.
    queue_setting
        Name of the setting holding ``max_queued`` (for messages).
    """

    def __init__(
        self,
        store: JobStore,
        tasks: Mapping[str, Task],
        *,
        workers: int = 1,
        time_limit_s: float = 600.0,
        grace_s: float = 30.0,
        max_attempts: int = 2,
        retention_s: float = 7 * 24 * 3600.0,
        cleanup_interval_s: float = 300.0,
        max_queued: int | None = None,
        retry_after_s: int = 30,
        queue_setting: str = "max_queued_jobs",
    ) -> None:
        self.store = store
        self.tasks = dict(tasks)
        self.workers = workers
        self.time_limit_s = time_limit_s
        self.grace_s = grace_s
        self.max_attempts = max_attempts
        self.retention_s = retention_s
        self.cleanup_interval_s = cleanup_interval_s
        self.max_queued = max_queued
        self.retry_after_s = retry_after_s
        self.queue_setting = queue_setting
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}  # job id -> monotonic start
        self._stop_reason: dict[str, str] = {}
        self._stopping = threading.Event()
        self._idle = threading.Condition(self._lock)

    # ------------------------------------------------------------------ life cycle

    def start(self) -> int:
        """Start the threads and re-queue the jobs a previous server left unfinished.

        Returns
        -------
        int
            Number of jobs resumed.
        """
        self._stopping.clear()
        resumed = 0
        for job in self.store.unfinished():
            if job.cancel_requested:
                self.store.update(
                    job.id, status=JobStatus.CANCELLED, message="cancelled before restart"
                )
                continue
            if job.status is JobStatus.RUNNING:
                if job.attempts >= self.max_attempts:
                    self._crashed(job)
                    continue
                self.store.update(
                    job.id,
                    status=JobStatus.QUEUED,
                    progress=0.0,
                    message="resumed after a server restart",
                )
            self._queue.put(job.id)
            resumed += 1
        if resumed:
            logger.info("resuming %d unfinished job(s)", resumed)
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"racines-job-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        watchdog = threading.Thread(target=self._watchdog, name="racines-watchdog", daemon=True)
        watchdog.start()
        self._threads.append(watchdog)
        return resumed

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask running jobs to stop (they go back to ``queued``) and stop the threads."""
        self._stopping.set()
        for _ in range(self.workers):
            self._queue.put(None)
        deadline = time.monotonic() + timeout_s
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads = []
        with self._lock:
            left = list(self._running)
        if left:
            logger.warning("jobs still running at shutdown (resumed at next start): %s", left)

    # ------------------------------------------------------------------ API

    def submit(self, job_id: str) -> None:
        """Queue a stored job."""
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a job: at once when queued, at its next progress report when running."""
        job = self.store.get(job_id)
        if job is None or job.status.finished:
            return job
        self.store.request_cancel(job_id)
        if self.store.update(
            job_id,
            status=JobStatus.CANCELLED,
            message="cancelled on request",
            only_if=(JobStatus.QUEUED,),
        ):
            return self.store.get(job_id)
        with self._lock:
            if job_id in self._running:
                self._stop_reason.setdefault(job_id, _CANCEL)
        self.store.update(job_id, message="cancellation requested", only_if=(JobStatus.RUNNING,))
        return self.store.get(job_id)

    def running(self) -> list[str]:
        """Ids of jobs running now."""
        with self._lock:
            return list(self._running)

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until no job is queued or running (tests and benchmarks)."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._running or not self._queue.empty():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(min(left, 0.1))
        return True

    # ------------------------------------------------------------------ internals

    def _should_stop(self, job_id: str) -> str | None:
        if self._stopping.is_set():
            return _SHUTDOWN
        with self._lock:
            return self._stop_reason.get(job_id)

    def _loop(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None or self._stopping.is_set():
                return
            try:
                self._run(job_id)
            except Exception:  # the store itself failed: log, fail the job if it can
                logger.exception("worker could not run job %s", job_id)
                try:
                    self._fail(job_id, "internal_error", "the job could not be run or stored")
                except Exception:
                    logger.exception("job %s: could not record its failure", job_id)
            finally:
                with self._idle:
                    self._running.pop(job_id, None)
                    self._stop_reason.pop(job_id, None)
                    self._idle.notify_all()

    def _run(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is None or job.status is not JobStatus.QUEUED:
            return
        task = self.tasks.get(job.kind)
        if task is None:
            self._fail(job_id, "unknown_kind", f"no task for job kind {job.kind!r}")
            return
        with self._lock:
            self._running[job_id] = time.monotonic()
        resumed = job.message.startswith(("resumed", "interrupted"))
        claim = "running (resumed after a server restart)" if resumed else "running"
        if not self.store.claim(job_id, claim):
            return
        progress = JobProgress(self.store, job_id, lambda: self._should_stop(job_id))
        try:
            out = task(job.request, progress)
            if self._should_stop(job_id) == _TIMEOUT:
                return  # already failed by the watchdog; the late result is dropped
            self.store.put_artifacts(job_id, out.artifacts)
            self.store.update(
                job_id,
                status=JobStatus.SUCCEEDED,
                progress=1.0,
                message="done",
                result=out.result,
                only_if=(JobStatus.RUNNING,),
            )
        except JobStopped as stop:
            self._stopped(job_id, stop.reason)
            return
        except RequestProblem as exc:
            self._fail(job_id, "invalid_request", str(exc), detail=[exc.item()])
            return
        except RequestValidationError as exc:
            items = validation_items(exc.errors())
            self._fail(job_id, "invalid_request", items[0]["message"], detail=items)
            return
        except ScenarioError as exc:
            self._fail(
                job_id,
                "invalid_scenario",
                f"{len(exc.problems)} problem(s) in the scenario",
                problems=[p.to_dict() for p in exc.problems],
            )
            return
        except Exception as exc:
            mapped = domain_error_items(exc)
            if mapped is not None:
                items = mapped[1]
                self._fail(job_id, "invalid_request", items[0]["message"], detail=items)
                return
            error_id = uuid.uuid4().hex[:12]
            logger.exception("job %s (%s) failed, error id %s", job_id, job.kind, error_id)
            self._fail(
                job_id,
                "internal_error",
                f"the solve failed unexpectedly; quote error id {error_id}",
                error_id=error_id,
            )
            return

    def _stopped(self, job_id: str, reason: str) -> None:
        if reason == _CANCEL:
            self.store.update(
                job_id,
                status=JobStatus.CANCELLED,
                message="cancelled on request",
                only_if=(JobStatus.RUNNING,),
            )
        elif reason == _SHUTDOWN:
            self.store.release(
                job_id, "interrupted by a server shutdown; resumes at the next start"
            )
        # _TIMEOUT: the watchdog has already failed the job.

    def _fail(self, job_id: str, code: str, message: str, **extra: Any) -> None:
        self.store.update(
            job_id,
            status=JobStatus.FAILED,
            message=message,
            error={"code": code, "message": message, **extra},
            only_if=(JobStatus.QUEUED, JobStatus.RUNNING),
        )

    def _crashed(self, job: Job) -> None:
        message = (
            f"the server stopped {job.attempts} times while running this job; "
            "it is not run again (it may need more memory or time than the server has)"
        )
        logger.error("job %s failed at start-up: %s", job.id, message)
        self._fail(job.id, "crashed", message, attempts=job.attempts)

    def cleanup(self) -> int:
        """Delete the finished jobs older than the retention; returns how many."""
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.retention_s)
        deleted = self.store.delete_finished_before(cutoff)
        if deleted:
            logger.info("deleted %d finished job(s) past retention", deleted)
        return deleted

    def _watchdog(self) -> None:
        ceiling = self.time_limit_s + self.grace_s
        next_cleanup = time.monotonic()
        while not self._stopping.wait(0.5):
            if time.monotonic() >= next_cleanup:
                next_cleanup = time.monotonic() + self.cleanup_interval_s
                try:
                    self.cleanup()
                except Exception:  # a store error must not stop the time limits
                    logger.exception("cleanup of old jobs failed")
            now = time.monotonic()
            with self._lock:
                late = [
                    j
                    for j, t0 in self._running.items()
                    if now - t0 > ceiling and self._stop_reason.get(j) != _TIMEOUT
                ]
                for j in late:
                    self._stop_reason[j] = _TIMEOUT
            for j in late:
                logger.warning("job %s exceeded %.0f s: failed", j, ceiling)
                self._fail(
                    j, "time_limit", f"the job exceeded its time limit of {self.time_limit_s:g} s"
                )
