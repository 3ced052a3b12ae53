"""How a run is cut into windows and groups, and how its time limit is shared.

Sizes are counted in (supplier, kitchen) pair-weeks (:attr:`MatchData.pair_weeks`), what a
model's size grows with. Every share of time is computed when its step starts, from the
seconds left: a step that finishes early leaves its time to the steps after it.

* **Groups of kitchens** are planned one after the other, each within a share of the
  time limit proportional to its size; a group may take up to twice its fair share of
  what is left while the groups after it keep :data:`GROUP_RESERVE` of their planned
  time (groups planned later have fewer choices left and mostly stop early at their gap).
* **Windows** of a group end by :data:`WINDOWS_SHARE` of its time (:data:`WINDOWS_SHARE_
  BOUND_AFTER` when the bound must follow them) and share it by size (kitchen-product-weeks
  with demand). The first windows, with no history, are the hardest: they may take up to
  :data:`FIRST_WINDOW_MOST` fair shares, but never leave the windows after them less than
  :data:`WINDOW_RESERVE` of their first share, nor take less than :data:`WINDOW_LEAST` of a
  fair share themselves (without that floor the last windows of a long run would get
  almost nothing and fall back to the wholesaler).
* **Relaxations and bounds** run on helper threads beside the windows
  (:mod:`solver.sourcing.solve`): every group's year relaxation within
  ``Decomposition.relaxation_budget`` of the time limit, each up to twice its share of
  what is left of it and at least ``Decomposition.relaxation_share`` of its group's
  planned time; then each group's bound within :data:`BOUND_SHARE` of its share of what
  is left when it starts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from solver.core import SolveParams
from solver.sourcing.data import MatchData

if TYPE_CHECKING:
    from solver.sourcing.bound import RelaxationSolver

__all__ = [
    "Decomposition",
    "RunClock",
    "WindowClock",
    "group_windows",
    "split_weeks",
    "step_time_limit",
]

#: The windows of a group end by this share of its time (the rest assembles the plan).
WINDOWS_SHARE = 0.95
#: ... or by this share when the Lagrangian bound must run after them.
WINDOWS_SHARE_BOUND_AFTER = 0.6
#: A window may take up to this many fair shares of the time left ...
FIRST_WINDOW_MOST = 2.5
#: ... while this share of their first share stays for the windows after it ...
WINDOW_RESERVE = 0.6
#: ... and never less than this many fair shares.
WINDOW_LEAST = 0.5
#: A group may take up to this many fair shares while the groups after it keep
#: :data:`GROUP_RESERVE` of their planned time.
GROUP_MOST = 2.0
GROUP_RESERVE = 0.6
#: A group's bound gets this share of its share of the seconds left when it starts.
BOUND_SHARE = 0.95
#: A year relaxation may take up to this many fair shares of the relaxations' budget left.
RELAXATION_MOST = 2.0
#: Longest automatic window, weeks (a menu cycle), and the shorter one of split territories
#: or short time limits.
LONG_WINDOW_WEEKS = 4
SHORT_WINDOW_WEEKS = 2


@dataclass(frozen=True)
class Decomposition:
    """How a run cuts the problem and shares its time (the defaults suit territories from
    a single kitchen to many groups of kitchens).

    Parameters
    ----------
    window_pair_weeks
        Automatic windows hold about this many pair-weeks (at most
        :data:`LONG_WINDOW_WEEKS` weeks), so that a window's MIP finds good plans in time.
    four_week_min_s_per_pair_week
        Below this many seconds a pair-week, a group's automatic windows are
        :data:`SHORT_WINDOW_WEEKS` weeks: a longer window's MIP would stop by its time
        limit far from its optimum.
    group_pair_weeks
        Above this many pair-weeks the kitchens are planned in spatial groups of about
        this size (:mod:`solver.sourcing.groups`).
    kitchen_groups
        Groups of kitchen ids planned in this order instead of the spatial groups; they
        must name every planned kitchen once.
    max_relaxation_pair_weeks
        Above this many pair-weeks (of one group) the year's relaxation is not tried
        (memory, time): the windows plan without it and the bound is the Lagrangian
        decomposition with LP windows (:func:`solver.sourcing.bound.lagrangian_bound`).
    relaxation_budget
        The year relaxations of every group run first, within this share of the time
        limit.
    relaxation_share
        ... each with at least this share of its group's planned time.
    relaxation
        Solves a year relaxation (default :func:`solver.sourcing.bound.solve_relaxation`);
        a hook to observe or replace it.
    helper_threads
        Threads beside the caller's that solve the relaxations and bounds; ``None``: one
        per core beyond the caller's (``os.cpu_count()``), at least one. With one, the jobs
        run in the order they are queued.
    joint
        Price the capacity that groups of kitchens share (:mod:`solver.sourcing.joint`)
        and report the territory's Lagrangian bound; False reports the sum of the
        groups' bounds (each counts all the shared supply).
    joint_plan
        With ``joint``: price first, then plan each group without what the groups after
        it buy at the prices (the relaxations and the pricing then run before the
        planning, not beside it).
    pricing_share, pricing_passes
        The pricing's subgradient passes take at most this share of the time limit
        (from the year relaxations' end), and this many passes.
    """

    window_pair_weeks: int = 6_000
    four_week_min_s_per_pair_week: float = 2.5e-3
    group_pair_weeks: int = 40_000
    kitchen_groups: tuple[tuple[str, ...], ...] | None = None
    max_relaxation_pair_weeks: int = 100_000
    relaxation_budget: float = 0.5
    relaxation_share: float = 0.4
    relaxation: RelaxationSolver | None = None
    helper_threads: int | None = None
    joint: bool = True
    joint_plan: bool = False
    pricing_share: float = 0.2
    pricing_passes: int = 30

    def __post_init__(self) -> None:
        for name in ("window_pair_weeks", "group_pair_weeks"):
            if getattr(self, name) < 1:
                msg = f"{name} must be >= 1, got {getattr(self, name)}"
                raise ValueError(msg)
        if self.helper_threads is not None and self.helper_threads < 1:
            msg = f"helper_threads must be >= 1, got {self.helper_threads}"
            raise ValueError(msg)

    def helpers(self) -> int:
        """Helper threads to start."""
        if self.helper_threads is not None:
            return self.helper_threads
        return max(1, (os.cpu_count() or 2) - 1)


def step_time_limit(
    left: float, fair: float, reserved: float, *, most: float, least: float
) -> float:
    """Seconds for the next of several steps (a window, a group): up to ``most`` fair
    shares while ``reserved`` seconds stay for the steps after it, never less than
    ``least`` fair shares nor more than the ``left`` seconds."""
    return min(left, max(least * fair, min(most * fair, left - reserved)))


def split_weeks(n_weeks: int, size: int) -> list[tuple[int, int]]:
    """Consecutive windows ``[w0, w1)`` of ``size`` weeks (the last one shorter)."""
    return [(a, min(a + size, n_weeks)) for a in range(0, n_weeks, size)]


def group_windows(
    data: MatchData,
    params: SolveParams,
    budget_s: float,
    *,
    split: bool = False,
    decomposition: Decomposition | None = None,
) -> list[tuple[int, int]]:
    """The windows of one group of kitchens planned within ``budget_s`` seconds:
    ``params.window_weeks``, else about ``window_pair_weeks`` pair-weeks each, at most
    :data:`LONG_WINDOW_WEEKS` weeks, and at most :data:`SHORT_WINDOW_WEEKS` when the
    territory is ``split`` in groups or the group has less than
    ``four_week_min_s_per_pair_week`` seconds a pair-week."""
    dec = decomposition or Decomposition()
    pair_weeks = data.pair_weeks
    n_pairs = pair_weeks // data.n_weeks
    weeks = params.window_weeks or max(1, min(LONG_WINDOW_WEEKS, dec.window_pair_weeks // n_pairs))
    short = split or budget_s < dec.four_week_min_s_per_pair_week * pair_weeks
    if params.window_weeks is None and short:
        weeks = min(weeks, SHORT_WINDOW_WEEKS)
    return split_weeks(data.n_weeks, weeks)


class RunClock:
    """The run's time: each group's planned share (by ``weight``, its size) and the
    seconds a group, its year relaxation and its bound get when they start."""

    def __init__(
        self, t_start: float, time_limit_s: float, weight: np.ndarray, decomposition: Decomposition
    ) -> None:
        # seconds are measured in the caller's time.perf_counter() wherever a task reads
        # them: through the wall clock, which other processes and machines share
        self._offset = time.time() - time.perf_counter()
        self.t_end = t_start + time_limit_s
        self.weight = weight
        self.planned_s = time_limit_s * weight / weight.sum()
        self.relaxations_until = t_start + decomposition.relaxation_budget * time_limit_s
        self.relaxation_share = decomposition.relaxation_share

    def now(self) -> float:
        """The caller's ``time.perf_counter()``, read in any process of this machine or of
        another one with a synchronised clock."""
        return time.time() - self._offset

    def _fair(self, left: float, n_g: int, among: np.ndarray | None = None) -> float:
        rest = self.weight[n_g:] if among is None else self.weight[n_g:][among[n_g:]]
        return float(left * self.weight[n_g] / rest.sum())

    def group_s(self, n_g: int) -> float:
        """Seconds for group ``n_g``'s windows and bound, when it starts."""
        left = self.t_end - self.now()
        reserved = GROUP_RESERVE * self.planned_s[n_g + 1 :].sum()
        fair = self._fair(left, n_g)
        return step_time_limit(left, fair, reserved, most=GROUP_MOST, least=1.0)

    def relaxation_s(self, n_g: int, tried: np.ndarray) -> float:
        """Seconds for group ``n_g``'s year relaxation, when a helper reaches it; the
        relaxations' budget is shared among the groups whose relaxation is ``tried``."""
        left = self.relaxations_until - self.now()
        fair = self._fair(left, n_g, tried)
        return max(self.relaxation_share * self.planned_s[n_g], min(left, RELAXATION_MOST * fair))

    def bound_s(self, n_g: int) -> float:
        """Seconds for group ``n_g``'s bound, when a helper starts it (the bounds are
        queued in the groups' order): its share of what is left."""
        left = self.t_end - self.now()
        return BOUND_SHARE * self._fair(left, n_g)


class WindowClock:
    """Seconds of each window of a group that must end by ``deadline``
    (``time.perf_counter()`` seconds), shared by the windows' ``size``."""

    def __init__(self, deadline: float, size: Sequence[float]) -> None:
        self.deadline = deadline
        self.size = np.asarray(size, dtype=float)
        self.first_share = (deadline - time.perf_counter()) * self.size / self.size.sum()

    def limit_s(self, n_done: int) -> float:
        """Seconds for window ``n_done`` (0-based), when it starts."""
        left = self.deadline - time.perf_counter()
        fair = left * self.size[n_done] / self.size[n_done:].sum()
        reserved = WINDOW_RESERVE * self.first_share[n_done + 1 :].sum()
        limit = step_time_limit(left, fair, reserved, most=FIRST_WINDOW_MOST, least=WINDOW_LEAST)
        return max(0.1, limit)
