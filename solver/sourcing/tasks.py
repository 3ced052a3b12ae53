"""Where a run's independent solves execute: a task runner.

A sourcing run hands its independent solves (the groups' year relaxations, the pricing
passes of :mod:`solver.sourcing.joint`, the bound's windows) to a :class:`TaskRunner` as
tasks: a module-level function and its arguments, so that a task can run in another
process or on another machine. The default is :class:`ThreadRunner`, threads of this
process (MathOpt releases the GIL while an engine solves); the application passes a
runner backed by a Dask cluster instead (``app.cluster``), which this package never
imports.

A value many tasks read (the territory's arrays) is shipped once with
:meth:`TaskRunner.share`; the handle it returns is passed as a task's *direct* argument
and the runner hands the task the value itself. Every task's time limit is computed by
the caller when it submits the task, so a task's result does not depend on where or
when it runs beyond its time limit.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

__all__ = ["TaskFuture", "TaskRunner", "ThreadRunner", "default_slots"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class TaskFuture(Protocol[T_co]):
    """A submitted task (``concurrent.futures.Future`` and ``distributed.Future`` both are)."""

    def result(self) -> T_co:
        """The task's value (raises the task's exception)."""
        ...

    def done(self) -> bool:
        """Whether the task finished."""
        ...


class TaskRunner(Protocol):
    """Runs tasks: module-level functions called with picklable arguments."""

    @property
    def slots(self) -> int:
        """Tasks that run at once (worker threads of every worker)."""
        ...

    def share(self, value: Any) -> Any:
        """A handle for ``value``, shipped once; pass it as a task's direct argument."""
        ...

    def submit(self, fn: Callable[..., T], /, *args: Any) -> TaskFuture[T]:
        """Start ``fn(*args)``; shared handles among ``args`` arrive as their values."""
        ...


def default_slots() -> int:
    """Solves a machine runs at once: one per core (``os.cpu_count()``), at least one."""
    return max(1, os.cpu_count() or 1)


class ThreadRunner:
    """Tasks on threads of this process (the default runner); ``share`` is the identity."""

    def __init__(self, threads: int) -> None:
        if threads < 1:
            msg = f"threads must be >= 1, got {threads}"
            raise ValueError(msg)
        self._threads = threads
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sourcing")

    @property
    def slots(self) -> int:
        """Worker threads."""
        return self._threads

    def share(self, value: Any) -> Any:
        """The value itself (threads share memory)."""
        return value

    def submit(self, fn: Callable[..., T], /, *args: Any) -> TaskFuture[T]:
        """Queue ``fn(*args)`` on the pool (first in, first out)."""
        return self._pool.submit(fn, *args)

    def close(self) -> None:
        """Wait for running tasks, drop queued ones, stop the threads."""
        self._pool.shutdown(wait=True, cancel_futures=True)
