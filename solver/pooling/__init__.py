"""Pooling feasibility: can a producer group honour a kitchen's order together, and if not, what
would it take?

Modules: ``inputs`` (the order, group, transport and their files), ``eligibility`` (who may
supply what, and why not), ``allocation`` (the closed-form split of each week's demand),
``transport`` (own trips or collection rounds through :mod:`solver.rounds`), ``relaxation``
(the smallest changes that help), ``answer`` (the answer, its reason codes and JSON) and
``solve`` (:func:`check_pooling_order`).
"""

from solver.pooling.allocation import share as share
from solver.pooling.answer import FILTERS as FILTERS
from solver.pooling.answer import REASONS as REASONS
from solver.pooling.answer import AllocationRow as AllocationRow
from solver.pooling.answer import PoolingAnswer as PoolingAnswer
from solver.pooling.answer import Relaxation as Relaxation
from solver.pooling.answer import Shortfall as Shortfall
from solver.pooling.answer import Trip as Trip
from solver.pooling.answer import WeekVerdict as WeekVerdict
from solver.pooling.answer import answer_to_json as answer_to_json
from solver.pooling.inputs import SHARING_RULES as SHARING_RULES
from solver.pooling.inputs import OrderLine as OrderLine
from solver.pooling.inputs import PoolingInputs as PoolingInputs
from solver.pooling.inputs import PoolingOrder as PoolingOrder
from solver.pooling.inputs import Transport as Transport
from solver.pooling.inputs import Travel as Travel
from solver.pooling.inputs import load_order as load_order
from solver.pooling.inputs import order_from_dict as order_from_dict
from solver.pooling.inputs import resolve_group as resolve_group
from solver.pooling.relaxation import apply_relaxation as apply_relaxation
from solver.pooling.solve import check_pooling_order as check_pooling_order

__all__ = [
    "FILTERS",
    "REASONS",
    "SHARING_RULES",
    "AllocationRow",
    "OrderLine",
    "PoolingAnswer",
    "PoolingInputs",
    "PoolingOrder",
    "Relaxation",
    "Shortfall",
    "Transport",
    "Travel",
    "Trip",
    "WeekVerdict",
    "answer_to_json",
    "apply_relaxation",
    "check_pooling_order",
    "load_order",
    "order_from_dict",
    "resolve_group",
    "share",
]
