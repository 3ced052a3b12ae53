"""A Dask cluster as the engine of the sourcing's independent solves.

``solver.sourcing.solve_sourcing`` runs its independent solves (year relaxations, pricing
passes, bound windows) on a :class:`solver.sourcing.TaskRunner`; :class:`DaskRunner` is
one backed by a ``dask.distributed`` client. Addresses:

* ``""`` (default): no cluster, the solver's own threads (nothing to start);
* ``local:N``: a ``LocalCluster`` of ``N`` worker processes (one thread each) on this
  machine, started here and stopped with the plan;
* ``tcp://HOST:PORT`` (or any scheduler address ``distributed.Client`` takes): an existing
  scheduler; its workers need only the installed ``racines`` package (tasks are its
  module-level functions; the territory's arrays are scattered once per run).

Dask is imported only when a cluster is asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from solver.sourcing import TaskFuture, TaskRunner

__all__ = ["DaskRunner", "connect", "open_cluster", "parse_address"]

T = TypeVar("T")

logger = logging.getLogger(__name__)

LOCAL = "local:"


class DaskRunner:
    """:class:`solver.sourcing.TaskRunner` on a ``dask.distributed`` client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    @property
    def slots(self) -> int:
        """Worker threads of the cluster's workers (at least one)."""
        return max(1, sum(self.client.nthreads().values()))

    def share(self, value: Any) -> Any:
        """``value`` scattered once to every worker; tasks get it back as an argument."""
        return self.client.scatter(value, broadcast=True, hash=False)

    def submit(self, fn: Callable[..., T], /, *args: Any) -> TaskFuture[T]:
        """``fn(*args)`` on a worker (never cached: solves have time limits)."""
        fut: TaskFuture[T] = self.client.submit(fn, *args, pure=False)
        return fut


def parse_address(address: str) -> tuple[str, int]:
    """``("local", n_workers)`` for ``local:N``, ``("remote", 0)`` for a scheduler address.

    Raises
    ------
    ValueError
        For ``local:`` without a positive worker count.
    """
    if address.startswith(LOCAL):
        n = address[len(LOCAL) :]
        if not n.isdigit() or int(n) < 1:
            msg = f"cluster {address!r}: expected local:N with N >= 1 workers"
            raise ValueError(msg)
        return "local", int(n)
    return "remote", 0


def connect(address: str) -> tuple[DaskRunner, Callable[[], None]]:
    """A runner on the cluster ``address`` (module docstring) and the function that
    closes it (and stops a local cluster)."""
    kind, n_workers = parse_address(address)
    from distributed import Client, LocalCluster

    if kind == "local":
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.WARNING,
        )
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

        logger.info("local Dask cluster of %d workers", n_workers)
        return DaskRunner(client), close
    client = Client(address)
    logger.info("Dask scheduler %s: %d worker threads", address, DaskRunner(client).slots)
    return DaskRunner(client), client.close


@contextmanager
def open_cluster(address: str | None) -> Iterator[TaskRunner | None]:
    """The runner of ``address`` for the ``with`` block (``None`` for no cluster)."""
    if not address:
        yield None
        return
    runner, close = connect(address)
    try:
        yield runner
    finally:
        close()
