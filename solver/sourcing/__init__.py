"""sourcing."""

from solver.sourcing.data import LogisticsOverrides as LogisticsOverrides
from solver.sourcing.data import TargetPenalties as TargetPenalties
from solver.sourcing.data import build_match_data as build_match_data
from solver.sourcing.greedy import greedy_plan as greedy_plan
from solver.sourcing.model import build_window as build_window
from solver.sourcing.model import solve_window as solve_window
from solver.sourcing.solve import SourcingResult as SourcingResult
from solver.sourcing.solve import solve_sourcing as solve_sourcing
from solver.sourcing.window import ObjectiveSpec as ObjectiveSpec
from solver.sourcing.window import Tiebreak as Tiebreak
from solver.sourcing.window import initial_state as initial_state

__all__ = [
    "LogisticsOverrides",
    "ObjectiveSpec",
    "SourcingResult",
    "TargetPenalties",
    "Tiebreak",
    "build_match_data",
    "build_window",
    "greedy_plan",
    "initial_state",
    "solve_sourcing",
    "solve_window",
]
