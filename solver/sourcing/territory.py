"""A territory cut in groups of kitchens with the capacity they share priced: the run
of :mod:`solver.sourcing.joint` on a task runner.

By default the groups are planned one after the other (:func:`~solver.sourcing.plans.plan_groups`)
while the runner solves their year relaxations, then the pricing passes, then the bound's
windows at the best prices (:class:`BoundPipeline`). With ``Decomposition.joint_plan`` the
relaxations and the pricing come first and each group plans without what the groups
after it buy at the prices. Every task gets its time limit when it is submitted, and at
most as many tasks run as the runner has slots.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from solver.core import Scenario
from solver.sourcing.bound import METHOD_LP, Relaxation, RelaxationSolver
from solver.sourcing.budget import Decomposition, RunClock
from solver.sourcing.data import MatchData
from solver.sourcing.groups import SupplyLedger
from solver.sourcing.joint import (
    GroupJob,
    JointPricing,
    WindowBound,
    bound_window,
    price_shared_supply,
)
from solver.sourcing.plans import Layout, Plans, keep_group, plan_groups
from solver.sourcing.result import BOUND_GROUP_SUM, BOUND_JOINT
from solver.sourcing.rolling import plan_group
from solver.sourcing.tasks import TaskFuture, TaskRunner

__all__ = ["METHOD_JOINT", "TerritoryBound", "plan_jointly"]

logger = logging.getLogger(__name__)

#: Seconds between two looks at running tasks.
POLL_S = 0.005
#: The bound's windows of a joint run end by this share of the time limit ...
BOUND_END = 0.97
#: ... and a window is not started with less than this many seconds.
MIN_BOUND_WINDOW_S = 1.0
#: How the joint bound is named in ``SourcingResult.bound_method``.
METHOD_JOINT = "Lagrangian dual of the territory, shared capacity priced"


@dataclass
class TerritoryBound:
    """The territory's lower bound: value, how it was computed, status, seconds, kind."""

    lower_eur: float
    method: str
    status: str
    runtime_s: float
    kind: str


def _group_jobs(data: MatchData, layout: Layout) -> list[GroupJob]:
    """The groups as the tasks of the joint run see them (their bound's problem)."""
    n_plat = sum(1 for g in layout.groups if data.plat_kitch[g].any())
    return [
        GroupJob(
            g,
            max(1, n_plat),
            task.bound.drop_rules,
            task.bound.windows,
            task.spec,
            task.params,
        )
        for g, task in zip(layout.groups, layout.tasks, strict=True)
    ]


def _relax_task(
    data: MatchData, job: GroupJob, solver: RelaxationSolver, seconds: float
) -> Relaxation | None:
    """A task: a group's year relaxation on its bound's problem."""
    return solver(job.bound_data(data), job.spec, job.params, seconds, drop_rules=job.drop_rules)


def _each_limited(
    slots: int, todo: Sequence[int], submit: Callable[[int], TaskFuture[Relaxation | None]]
) -> dict[int, Relaxation | None]:
    """Run ``submit(i)`` for every ``i`` of ``todo``, at most ``slots`` at once, each
    submitted (and given its time) when a slot frees; the results by ``i``."""
    out: dict[int, Relaxation | None] = {}
    queue = list(todo)
    running: dict[int, TaskFuture[Relaxation | None]] = {}
    while queue or running:
        while queue and len(running) < slots:
            i = queue.pop(0)
            running[i] = submit(i)
        finished = [i for i, f in running.items() if f.done()]
        if not finished:
            time.sleep(POLL_S)
        for i in finished:
            out[i] = running.pop(i).result()
    return out


class BoundPipeline(threading.Thread):
    """The territory's bound beside the planning: (unless ``pricing`` is given) wait for
    the groups' year relaxations ``rel_jobs`` and price the shared capacity, then solve
    every group's bound windows as MIPs at the best prices on ``slots`` slots of the
    runner, each given its share of the time left until ``deadline`` when it starts."""

    def __init__(
        self,
        ctx: _JointContext,
        slots: int,
        deadline: float,
        *,
        rel_jobs: list[TaskFuture[Relaxation | None] | None],
        pricing: JointPricing | None = None,
    ) -> None:
        super().__init__(name="sourcing-bound", daemon=True)
        self.ctx, self.slots, self.deadline = ctx, max(1, slots), deadline
        self.rel_jobs, self.pricing = rel_jobs, pricing
        self.rels: list[Relaxation | None] = []
        self.results: list[list[WindowBound | None]] = [[None] * len(j.windows) for j in ctx.jobs]
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self) -> None:
        try:
            if self.pricing is None:
                self.rels = [None if f is None else f.result() for f in self.rel_jobs]
                self.pricing = self.ctx.price(self.rels)
            if self.pricing is not None:
                self._feed(self.pricing)
        except BaseException as exc:  # re-raised by the caller after join()
            self.error = exc

    def _feed(self, pricing: JointPricing) -> None:
        jobs = self.ctx.jobs
        todo = [(g, b) for g, job in enumerate(jobs) for b in range(len(job.windows))]
        running: dict[tuple[int, int], TaskFuture[WindowBound]] = {}
        while todo or running:
            while todo and len(running) < self.slots:
                left = self.deadline - time.perf_counter()
                if left < MIN_BOUND_WINDOW_S:
                    todo.clear()
                    break
                g, b = todo.pop(0)
                secs = min(left, max(MIN_BOUND_WINDOW_S, left * self.slots / (len(todo) + 1)))
                running[(g, b)] = self.ctx.runner.submit(
                    bound_window, self.ctx.handle, jobs[g], pricing.prices(g), b, secs
                )
            finished = [key for key, f in running.items() if f.done()]
            if not finished:
                time.sleep(POLL_S)
            for g, b in finished:
                res = running.pop((g, b)).result()
                self.results[g][b] = res
                self.seconds += res.runtime_s


@dataclass
class _JointContext:
    """What the tasks of a joint run share: the runner, the territory (and its handle on
    the runner), the groups' jobs, the pricing's time and passes, progress."""

    runner: TaskRunner
    data: MatchData
    handle: object
    jobs: list[GroupJob]
    pricing_s: float
    max_passes: int
    report: Callable[[float, str], None]

    def price(self, rels: list[Relaxation | None]) -> JointPricing | None:
        """Price the shared capacity from the groups' relaxations ``rels``."""
        return price_shared_supply(
            self.runner,
            self.handle,
            self.data,
            self.jobs,
            rels,
            self.pricing_s,
            max_passes=self.max_passes,
            progress=lambda n, v: self.report(0.15, f"pricing pass {n}: {v:,.2f} EUR"),
        )


def _relax_at_start(
    data: MatchData,
    job: GroupJob,
    solver: RelaxationSolver,
    clock: RunClock,
    tried: np.ndarray,
    n_g: int,
) -> Relaxation | None:
    """A task: group ``n_g``'s year relaxation, given its time when it starts."""
    return _relax_task(data, job, solver, clock.relaxation_s(n_g, tried))


def _done(value: Relaxation | None) -> TaskFuture[Relaxation | None] | None:
    """A finished future holding ``value`` (``None`` for no relaxation)."""
    if value is None:
        return None
    fut: Future[Relaxation | None] = Future()
    fut.set_result(value)
    return fut


def plan_jointly(
    scenario: Scenario,
    data: MatchData,
    layout: Layout,
    runner: TaskRunner,
    dec: Decomposition,
    progress: Callable[[float, str], None] | None,
    all_slots: bool,
) -> tuple[Plans, TerritoryBound]:
    """Plan a territory cut in groups with its shared capacity priced (module docstring,
    :mod:`~solver.sourcing.joint`).

    By default the groups are planned one after the other on what earlier groups left
    while the runner solves the year relaxations, prices the shared capacity and solves
    the bound's windows beside them. With ``dec.joint_plan`` the relaxations and the
    pricing come first, and each group plans without what the groups after it buy at
    the prices. The bound's windows use every slot of ``runner`` when ``all_slots`` (the
    planning runs in this process, not on the runner), one fewer otherwise.
    """
    t0 = time.perf_counter()
    report = progress or _no_progress
    clock, n_groups = layout.clock, len(layout.groups)
    params = layout.tasks[0].params
    ctx = _JointContext(
        runner,
        data,
        runner.share(data),
        _group_jobs(data, layout),
        dec.pricing_share * params.time_limit_s,
        dec.pricing_passes,
        report,
    )
    deadline = clock.t_end - (1.0 - BOUND_END) * params.time_limit_s
    slots = runner.slots if all_slots else runner.slots - 1
    if dec.joint_plan:
        rels, pipeline = _relax_and_price(ctx, layout, slots, deadline)
        done = _plan_priced(scenario, data, layout, runner, rels, pipeline.pricing, progress)
    else:
        rel_jobs: list[TaskFuture[Relaxation | None] | None] = [
            runner.submit(
                _relax_at_start,
                ctx.handle,
                job,
                task.bound.relaxation,
                clock,
                layout.tried,
                n_g,
            )
            if layout.tried[n_g]
            else None
            for n_g, (job, task) in enumerate(zip(ctx.jobs, layout.tasks, strict=True))
        ]
        pipeline = BoundPipeline(ctx, slots, deadline, rel_jobs=rel_jobs)
        pipeline.start()
        done = plan_groups(scenario, data, layout, runner, progress, rel_jobs=rel_jobs)
    pipeline.join()
    if pipeline.error is not None:
        raise pipeline.error
    rels = pipeline.rels
    rel_s = sum(r.runtime_s for r in rels if r is not None)
    bound = _joint_bound(rels, pipeline.pricing, pipeline, n_groups, rel_s)
    logger.info("joint run of %d groups in %.1fs", n_groups, time.perf_counter() - t0)
    return done, bound


def _relax_and_price(
    ctx: _JointContext, layout: Layout, slots: int, deadline: float
) -> tuple[list[Relaxation | None], BoundPipeline]:
    """Every group's year relaxation (all slots), the pricing, then the bound's
    windows started beside the planning."""
    n_groups = len(layout.groups)
    ctx.report(0.02, f"year relaxations of {n_groups} groups of kitchens")
    got = _each_limited(
        ctx.runner.slots,
        [n_g for n_g in range(n_groups) if layout.tried[n_g]],
        lambda n_g: ctx.runner.submit(
            _relax_task,
            ctx.handle,
            ctx.jobs[n_g],
            layout.tasks[n_g].bound.relaxation,
            layout.clock.relaxation_s(n_g, layout.tried),
        ),
    )
    rels = [got.get(n_g) for n_g in range(n_groups)]
    ctx.report(0.15, f"pricing the shared supply ({sum(r is not None for r in rels)} relaxations)")
    pipeline = BoundPipeline(ctx, slots, deadline, rel_jobs=[], pricing=ctx.price(rels))
    pipeline.rels = rels
    pipeline.start()
    return rels, pipeline


def _no_progress(_frac: float, _msg: str) -> None:
    return None


def _plan_priced(
    scenario: Scenario,
    data: MatchData,
    layout: Layout,
    runner: TaskRunner,
    rels: list[Relaxation | None],
    pricing: JointPricing | None,
    progress: Callable[[float, str], None] | None,
) -> Plans:
    """Plan the groups one after the other on what earlier groups left, less what the
    groups after each one buy of the shared supply at the best prices."""
    n_groups = len(layout.groups)
    ledger = SupplyLedger(data, layout.groups)
    done = Plans()
    lo, hi = 0.25, 0.95
    for n_g, task in enumerate(layout.tasks):
        reserve = None if pricing is None else pricing.reserve(n_g, data)
        sub = ledger.left_for(layout.subs[n_g], n_g, reserve)
        run = plan_group(
            sub,
            dataclasses.replace(task, compute_bound=False),
            layout.clock.group_s(n_g),
            rel_job=_done(rels[n_g]),
            helper=runner,
            bound_seconds=functools.partial(layout.clock.bound_s, n_g),
            progress=progress,
            span=(lo + (hi - lo) * n_g / n_groups, lo + (hi - lo) * (n_g + 1) / n_groups),
        )
        keep_group(done, scenario, sub, run, n_g, n_groups)
        ledger.record(run.bought, run.drops, run.pickups)
    return done


def _joint_bound(
    rels: list[Relaxation | None],
    pricing: JointPricing | None,
    feeder: BoundPipeline | None,
    n_groups: int,
    rel_s: float,
) -> TerritoryBound:
    """The better of the territory's Lagrangian dual at the best prices and the sum of
    the groups' year relaxations (the dual at zero prices)."""
    lp_sum = (
        float(sum(r.objective_eur for r in rels if r is not None))
        if all(r is not None for r in rels)
        else float("nan")
    )
    groups = f"sum over {n_groups} groups of kitchens of: {METHOD_LP}"
    if pricing is None or feeder is None:
        status = "OPTIMAL" if np.isfinite(lp_sum) else "not computed"
        return TerritoryBound(lp_sum, groups, status, rel_s, BOUND_GROUP_SUM)
    mip = feeder.results
    value = pricing.bound(mip)
    lifted = sum(1 for row in mip for wb in row if wb is not None and np.isfinite(wb.value_eur))
    n_windows = sum(len(row) for row in mip)
    seconds = rel_s + pricing.task_s + feeder.seconds
    if np.isfinite(lp_sum) and lp_sum > value:
        return TerritoryBound(lp_sum, groups, "OPTIMAL", seconds, BOUND_GROUP_SUM)
    method = (
        f"{METHOD_JOINT} over {n_groups} groups ({pricing.passes} pricing passes, "
        f"{int((pricing.point.lam > 0).sum())} offer-weeks priced; "
        f"{lifted}/{n_windows} windows as MIPs, the others as LPs)"
    )
    return TerritoryBound(value, method, "OPTIMAL", seconds, BOUND_JOINT)
