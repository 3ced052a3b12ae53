"""The groups of kitchens of a run and their plans, planned one after the other.

:func:`plan_groups` plans each group's windows in order on the calling thread
(:mod:`solver.sourcing.rolling`), the runner solving the year relaxations and the groups'
bounds beside them; a group after the first plans on what earlier groups left
(:class:`~solver.sourcing.groups.SupplyLedger`).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from solver.core import PurchasePlan, Scenario
from solver.sourcing.assemble import purchase_plan
from solver.sourcing.bound import GroupBound, Relaxation
from solver.sourcing.budget import RunClock
from solver.sourcing.data import MatchData
from solver.sourcing.groups import SupplyLedger
from solver.sourcing.result import TargetShortfall, target_shortfalls
from solver.sourcing.rolling import GroupRun, GroupTask, plan_group
from solver.sourcing.tasks import TaskFuture, TaskRunner

__all__ = ["Layout", "Plans", "keep_group", "plan_groups", "relaxation_job"]

logger = logging.getLogger(__name__)


@dataclass
class Layout:
    """The groups of kitchens of a run, what each plans, and the run's clock."""

    groups: list[np.ndarray]
    subs: list[MatchData]  # each group's problem, full supply
    tasks: list[GroupTask]
    tried: np.ndarray  # (G,) bool: the group's year relaxation is tried
    clock: RunClock


@dataclass
class Plans:
    """What the groups planned, in planning order."""

    runs: list[GroupRun] = field(default_factory=list)
    plans: list[PurchasePlan] = field(default_factory=list)
    shortfalls: list[TargetShortfall] = field(default_factory=list)
    penalty_eur: list[float] = field(default_factory=list)


def plan_groups(
    scenario: Scenario,
    data: MatchData,
    layout: Layout,
    helper: TaskRunner,
    progress: Callable[[float, str], None] | None,
    rel_jobs: list[TaskFuture[Relaxation | None] | None] | None = None,
) -> Plans:
    """Plan the groups in order on this thread; the helpers first solve every group's
    year relaxation (queued now, each given its time when it starts), then each group's
    bound, queued when its windows start. Given ``rel_jobs`` (the relaxations queued by
    a joint run, whose bound is the territory's), the groups compute no bound."""
    n_groups = len(layout.groups)
    clock = layout.clock
    ledger = SupplyLedger(data, layout.groups) if n_groups > 1 else None
    done = Plans()
    own_bounds = rel_jobs is None
    if rel_jobs is None:
        rel_jobs = [
            helper.submit(relaxation_job, task.bound, clock, layout.tried, n_g)
            if layout.tried[n_g]
            else None
            for n_g, task in enumerate(layout.tasks)
        ]
    for n_g, task in enumerate(layout.tasks):
        sub = layout.subs[n_g] if ledger is None else ledger.left_for(layout.subs[n_g], n_g)
        job = rel_jobs[n_g]
        if job is not None and n_groups > 1:
            job.result()  # waiting for it is shared by all groups left, not this one's
        run = plan_group(
            sub,
            task if own_bounds else dataclasses.replace(task, compute_bound=False),
            clock.group_s(n_g),
            rel_job=job,
            helper=helper,
            bound_seconds=functools.partial(clock.bound_s, n_g),
            progress=progress,
            span=(n_g / n_groups, (n_g + 1) / n_groups),
        )
        keep_group(done, scenario, sub, run, n_g, n_groups)
        if ledger is not None:
            ledger.record(run.bought, run.drops, run.pickups)
    for run in done.runs:
        run.collect_bound()
    return done


def relaxation_job(
    bound: GroupBound, clock: RunClock, tried: np.ndarray, n_g: int
) -> Relaxation | None:
    """Group ``n_g``'s year relaxation, given its time when a helper reaches it."""
    return bound.year_relaxation(clock.relaxation_s(n_g, tried))


def keep_group(
    done: Plans, scenario: Scenario, sub: MatchData, run: GroupRun, n_g: int, n_groups: int
) -> None:
    """Keep a planned group: its run, its plan, its final shortfalls and their penalty."""
    done.runs.append(run)
    logger.info(
        "group %d/%d: %d windows in %.1fs (%d within their gap)",
        n_g + 1,
        n_groups,
        len(run.stats),
        sum(w.runtime_s for w in run.stats),
        sum(w.status == "OPTIMAL" for w in run.stats),
    )
    eur, rows = target_shortfalls(sub, run.state, run.penalty)
    done.shortfalls.extend(rows)
    done.penalty_eur.append(float((eur * run.penalty[None, :]).sum()))
    done.plans.append(purchase_plan(scenario, sub, run.bought))
