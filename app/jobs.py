"""Job store: where jobs, their progress, results and export files persist.

A job is one solve run off the request: ``queued`` -> ``running`` -> ``succeeded`` |
``failed`` | ``cancelled``. :class:`JobStore` is the interface the worker and the routers
use; :class:`SqlJobStore` implements it on any SQLAlchemy URL (SQLite by default), so jobs
and results survive a restart of the server.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, RowMapping, make_url
from sqlalchemy.pool import StaticPool

logger = logging.getLogger(__name__)


class JobStatus(StrEnum):
    """Life cycle of a job."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True once the job will not change any more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


@dataclass(frozen=True)
class Artifact:
    """A file produced by a job (an export), served as is."""

    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Job:
    """One job as stored."""

    id: str
    kind: str
    status: JobStatus
    progress: float
    message: str
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    cancel_requested: bool
    created: dt.datetime
    updated: dt.datetime
    artifact_names: tuple[str, ...] = field(default=())
    attempts: int = 0


class JobStore(Protocol):
    """What the API and the worker need from a job store."""

    def create(
        self,
        kind: str,
        request: Mapping[str, Any],
        *,
        status: JobStatus = JobStatus.QUEUED,
        message: str = "",
    ) -> Job:
        """Record a new job and return it."""
        ...

    def get(self, job_id: str) -> Job | None:
        """The job, or None when unknown."""
        ...

    def update(
        self,
        job_id: str,
        *,
        status: JobStatus | None = None,
        progress: float | None = None,
        message: str | None = None,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
        only_if: tuple[JobStatus, ...] | None = None,
    ) -> bool:
        """Change fields of a job; with ``only_if``, only when its status is one of them.

        Returns True when a job was changed.
        """
        ...

    def claim(self, job_id: str, message: str) -> bool:
        """Start a queued job: ``running``, one more attempt. False when it was not queued."""
        ...

    def release(self, job_id: str, message: str) -> bool:
        """Put a running job back in the queue, not counting the attempt (a clean shutdown)."""
        ...

    def request_cancel(self, job_id: str) -> None:
        """Flag a job for cancellation (the worker stops it at its next progress report)."""
        ...

    def count(self, *statuses: JobStatus) -> int:
        """Number of jobs in any of ``statuses``."""
        ...

    def delete(self, job_id: str) -> bool:
        """Delete a job and its export files; True when it existed."""
        ...

    def delete_finished_before(self, cutoff: dt.datetime) -> int:
        """Delete the finished jobs last updated before ``cutoff``; returns how many."""
        ...

    def put_artifacts(self, job_id: str, artifacts: list[Artifact]) -> None:
        """Store the export files of a job (replacing those with the same names)."""
        ...

    def get_artifact(self, job_id: str, name: str) -> Artifact | None:
        """One export file of a job, or None."""
        ...

    def unfinished(self) -> list[Job]:
        """Jobs still queued or running, oldest first."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _dump(obj: Mapping[str, Any] | None) -> str | None:
    return None if obj is None else json.dumps(obj, ensure_ascii=False, allow_nan=False)


def _load(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)


class SqlJobStore:
    """:class:`JobStore` on a SQLAlchemy database.

    Parameters
    ----------
    url
        Any SQLAlchemy URL, e.g. ``sqlite:///racines.db`` or ``postgresql://...``. For a
        SQLite file, its folder is created, and WAL journaling lets readers (polling
        clients) run while a worker writes.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {}
        self._in_memory = False
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            db = parsed.database
            if not db or db == ":memory:":
                kwargs["poolclass"] = StaticPool
                self._in_memory = True
            else:
                Path(db).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.metadata = MetaData()
        self.jobs = Table(
            "jobs",
            self.metadata,
            Column("id", String(32), primary_key=True),
            Column("kind", String(32), nullable=False, index=True),
            Column("status", String(16), nullable=False, index=True),
            Column("progress", Float, nullable=False, default=0.0),
            Column("message", Text, nullable=False, default=""),
            Column("request", Text, nullable=False),
            Column("result", Text, nullable=True),
            Column("error", Text, nullable=True),
            Column("cancel_requested", Boolean, nullable=False, default=False),
            Column("created", DateTime(timezone=True), nullable=False),
            Column("updated", DateTime(timezone=True), nullable=False, index=True),
            Column("attempts", Integer, nullable=False, default=0, server_default="0"),
        )
        self.artifacts = Table(
            "job_artifacts",
            self.metadata,
            Column("job_id", String(32), ForeignKey("jobs.id"), primary_key=True),
            Column("name", String(64), primary_key=True),
            Column("media_type", String(128), nullable=False),
            Column("content", LargeBinary, nullable=False),
        )
        self.metadata.create_all(self.engine)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Bring a store created by an older version up to this table (``attempts``)."""
        have = {c["name"] for c in inspect(self.engine).get_columns("jobs")}
        if "attempts" not in have:
            with self._tx() as conn:
                conn.execute(
                    text("ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
                )

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def create(
        self,
        kind: str,
        request: Mapping[str, Any],
        *,
        status: JobStatus = JobStatus.QUEUED,
        message: str = "",
    ) -> Job:
        """Record a new job and return it."""
        now = _now()
        job_id = uuid.uuid4().hex
        with self._tx() as conn:
            conn.execute(
                insert(self.jobs).values(
                    id=job_id,
                    kind=kind,
                    status=status.value,
                    progress=0.0,
                    message=message,
                    request=_dump(request),
                    result=None,
                    error=None,
                    cancel_requested=False,
                    created=now,
                    updated=now,
                    attempts=0,
                )
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        """The job, or None when unknown."""
        with self.engine.connect() as conn:
            row = conn.execute(select(self.jobs).where(self.jobs.c.id == job_id)).first()
            if row is None:
                return None
            names = conn.execute(
                select(self.artifacts.c.name)
                .where(self.artifacts.c.job_id == job_id)
                .order_by(self.artifacts.c.name)
            ).scalars()
            return self._job(row._mapping, tuple(names))

    @staticmethod
    def _job(m: RowMapping | Mapping[str, Any], names: tuple[str, ...] = ()) -> Job:
        created, updated = m["created"], m["updated"]
        # SQLite hands datetimes back naive: they were written in UTC.
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        if updated.tzinfo is None:
            updated = updated.replace(tzinfo=dt.UTC)
        return Job(
            id=m["id"],
            kind=m["kind"],
            status=JobStatus(m["status"]),
            progress=float(m["progress"]),
            message=m["message"],
            request=_load(m["request"]) or {},
            result=_load(m["result"]),
            error=_load(m["error"]),
            cancel_requested=bool(m["cancel_requested"]),
            created=created,
            updated=updated,
            artifact_names=names,
            attempts=int(m["attempts"] or 0),
        )

    def update(
        self,
        job_id: str,
        *,
        status: JobStatus | None = None,
        progress: float | None = None,
        message: str | None = None,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
        only_if: tuple[JobStatus, ...] | None = None,
    ) -> bool:
        """Change fields of a job; with ``only_if``, only when its status is one of them."""
        values: dict[str, Any] = {"updated": _now()}
        if status is not None:
            values["status"] = status.value
        if progress is not None:
            values["progress"] = min(1.0, max(0.0, float(progress)))
        if message is not None:
            values["message"] = message
        if result is not None:
            values["result"] = _dump(result)
        if error is not None:
            values["error"] = _dump(error)
        stmt = update(self.jobs).where(self.jobs.c.id == job_id).values(**values)
        if only_if is not None:
            stmt = stmt.where(self.jobs.c.status.in_([s.value for s in only_if]))
        with self._tx() as conn:
            return conn.execute(stmt).rowcount > 0

    def claim(self, job_id: str, message: str) -> bool:
        """Start a queued job: ``running``, one more attempt. False when it was not queued."""
        stmt = (
            update(self.jobs)
            .where(self.jobs.c.id == job_id, self.jobs.c.status == JobStatus.QUEUED.value)
            .values(
                status=JobStatus.RUNNING.value,
                message=message,
                attempts=self.jobs.c.attempts + 1,
                updated=_now(),
            )
        )
        with self._tx() as conn:
            return conn.execute(stmt).rowcount > 0

    def release(self, job_id: str, message: str) -> bool:
        """Put a running job back in the queue, not counting the attempt (a clean shutdown)."""
        stmt = (
            update(self.jobs)
            .where(self.jobs.c.id == job_id, self.jobs.c.status == JobStatus.RUNNING.value)
            .values(
                status=JobStatus.QUEUED.value,
                progress=0.0,
                message=message,
                attempts=case((self.jobs.c.attempts > 0, self.jobs.c.attempts - 1), else_=0),
                updated=_now(),
            )
        )
        with self._tx() as conn:
            return conn.execute(stmt).rowcount > 0

    def count(self, *statuses: JobStatus) -> int:
        """Number of jobs in any of ``statuses``."""
        stmt = select(func.count()).select_from(self.jobs)
        stmt = stmt.where(self.jobs.c.status.in_([s.value for s in statuses]))
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def delete(self, job_id: str) -> bool:
        """Delete a job and its export files; True when it existed."""
        with self._tx() as conn:
            conn.execute(delete(self.artifacts).where(self.artifacts.c.job_id == job_id))
            return conn.execute(delete(self.jobs).where(self.jobs.c.id == job_id)).rowcount > 0

    def delete_finished_before(self, cutoff: dt.datetime) -> int:
        """Delete the finished jobs last updated before ``cutoff``; returns how many."""
        finished = [s.value for s in JobStatus if s.finished]
        old = (
            select(self.jobs.c.id)
            .where(self.jobs.c.status.in_(finished), self.jobs.c.updated < cutoff)
            .scalar_subquery()
        )
        with self._tx() as conn:
            conn.execute(delete(self.artifacts).where(self.artifacts.c.job_id.in_(old)))
            return int(conn.execute(delete(self.jobs).where(self.jobs.c.id.in_(old))).rowcount)

    def request_cancel(self, job_id: str) -> None:
        """Flag a job for cancellation."""
        with self._tx() as conn:
            conn.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job_id)
                .values(cancel_requested=True, updated=_now())
            )

    def put_artifacts(self, job_id: str, artifacts: list[Artifact]) -> None:
        """Store the export files of a job (replacing those with the same names)."""
        if not artifacts:
            return
        with self._tx() as conn:
            conn.execute(
                delete(self.artifacts).where(
                    self.artifacts.c.job_id == job_id,
                    self.artifacts.c.name.in_([a.name for a in artifacts]),
                )
            )
            conn.execute(
                insert(self.artifacts),
                [
                    {
                        "job_id": job_id,
                        "name": a.name,
                        "media_type": a.media_type,
                        "content": a.content,
                    }
                    for a in artifacts
                ],
            )

    def get_artifact(self, job_id: str, name: str) -> Artifact | None:
        """One export file of a job, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(self.artifacts).where(
                    self.artifacts.c.job_id == job_id, self.artifacts.c.name == name
                )
            ).first()
        if row is None:
            return None
        m = row._mapping
        return Artifact(name=m["name"], media_type=m["media_type"], content=bytes(m["content"]))

    def unfinished(self) -> list[Job]:
        """Jobs still queued or running, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(self.jobs)
                .where(self.jobs.c.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
                .order_by(self.jobs.c.created)
            ).all()
        return [self._job(r._mapping) for r in rows]

    def close(self) -> None:
        """Release connections (an in-memory database is kept: closing would lose it)."""
        if not self._in_memory:
            self.engine.dispose()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
    finally:
        cur.close()
