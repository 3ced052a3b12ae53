"""Solve parameters shared by the optimisation models of racines (time limit, seed, threads)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SolveParams"]


@dataclass(frozen=True)
class SolveParams:
    """How long and how a model is solved.

    Parameters
    ----------
    time_limit_s
        Wall-clock limit for the whole call, seconds. Every solve is bounded by it.
    seed
        Random seed handed to the engine; a fixed seed gives the same plan run after run.
    num_workers
        Engine threads; ``None`` means 1 on a machine with one or two cores, else 2.
    log_search
        Let the engine print its search log (debugging only).
    mip_gap
        Relative optimality gap at which a MIP solve may stop (0.002 = 0.2 %).
    window_weeks
        Weeks planned together by the sourcing model's rolling decomposition; ``None``
        picks 4 (a menu cycle), fewer on big territories (``solver.sourcing.budget``).
    """

    time_limit_s: float = 60.0
    seed: int = 0
    num_workers: int | None = None
    log_search: bool = False
    mip_gap: float = 0.002
    window_weeks: int | None = None

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            msg = f"time_limit_s must be > 0, got {self.time_limit_s}"
            raise ValueError(msg)
        if self.mip_gap < 0:
            msg = f"mip_gap must be >= 0, got {self.mip_gap}"
            raise ValueError(msg)
        if self.window_weeks is not None and self.window_weeks < 1:
            msg = f"window_weeks must be >= 1, got {self.window_weeks}"
            raise ValueError(msg)
        if self.num_workers is not None and self.num_workers < 1:
            msg = f"num_workers must be >= 1, got {self.num_workers}"
            raise ValueError(msg)

    def threads(self) -> int:
        """Threads to use: ``num_workers``, else 1 with at most two cores, else 2."""
        if self.num_workers is not None:
            return self.num_workers
        import os

        return 1 if (os.cpu_count() or 1) <= 2 else 2
