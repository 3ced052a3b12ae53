"""rounds."""

from solver.rounds.routing import Order as Order
from solver.rounds.routing import ReasonCode as ReasonCode
from solver.rounds.routing import RoundsProblem as RoundsProblem
from solver.rounds.routing import RoundsResult as RoundsResult
from solver.rounds.routing import Site as Site
from solver.rounds.routing import Step as Step
from solver.rounds.routing import Unassigned as Unassigned
from solver.rounds.routing import Vehicle as Vehicle
from solver.rounds.routing import solve_own_trips as solve_own_trips
from solver.rounds.routing import solve_rounds as solve_rounds
from solver.rounds.routing import vehicle_from_van as vehicle_from_van

__all__ = [
    "Order",
    "ReasonCode",
    "RoundsProblem",
    "RoundsResult",
    "Site",
    "Step",
    "Unassigned",
    "Vehicle",
    "solve_own_trips",
    "solve_rounds",
    "vehicle_from_van",
]
