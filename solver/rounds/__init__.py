"""Delivery rounds: paired pickup-and-delivery van routes of a farmers' platform (PyVRP).

Modules: ``problem`` (the request types), ``result`` (routes, reasons, indicators), ``json_io``
(VROOM-like JSON in and out), ``schedule`` (timing a route), ``screening`` (why an order cannot
be served alone), ``engine`` (the PyVRP model, the only module importing PyVRP), ``solve``
(:func:`solve_rounds`, direct and cross-dock), ``overnight`` (collecting the day before into the
depot's cold room) and ``own_trips`` (:func:`solve_own_trips`).
Importing this package does not load PyVRP; the first solve does.
"""

from solver.rounds.json_io import problem_from_json as problem_from_json
from solver.rounds.json_io import problem_to_json as problem_to_json
from solver.rounds.json_io import rounds_to_json as rounds_to_json
from solver.rounds.own_trips import solve_own_trips as solve_own_trips
from solver.rounds.problem import DEFAULT_RELOAD_S as DEFAULT_RELOAD_S
from solver.rounds.problem import ColdRoom as ColdRoom
from solver.rounds.problem import Order as Order
from solver.rounds.problem import RoundsProblem as RoundsProblem
from solver.rounds.problem import Site as Site
from solver.rounds.problem import Vehicle as Vehicle
from solver.rounds.problem import previous_day as previous_day
from solver.rounds.problem import vehicle_from_van as vehicle_from_van
from solver.rounds.result import ReasonCode as ReasonCode
from solver.rounds.result import RoundsResult as RoundsResult
from solver.rounds.result import Route as Route
from solver.rounds.result import Step as Step
from solver.rounds.result import Summary as Summary
from solver.rounds.result import Unassigned as Unassigned
from solver.rounds.solve import solve_rounds as solve_rounds

__all__ = [
    "DEFAULT_RELOAD_S",
    "ColdRoom",
    "Order",
    "ReasonCode",
    "Route",
    "RoundsProblem",
    "RoundsResult",
    "Site",
    "Step",
    "Summary",
    "Unassigned",
    "Vehicle",
    "problem_from_json",
    "previous_day",
    "problem_to_json",
    "rounds_to_json",
    "solve_own_trips",
    "solve_rounds",
    "vehicle_from_van",
]
