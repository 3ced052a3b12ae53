"""pooling."""

from solver.pooling.pooling import PoolingAnswer as PoolingAnswer
from solver.pooling.pooling import answer_to_json as answer_to_json
from solver.pooling.pooling import apply_relaxation as apply_relaxation
from solver.pooling.pooling import check_pooling_order as check_pooling_order
from solver.pooling.pooling import share as share
from solver.pooling.pooling_model import SHARING_RULES as SHARING_RULES
from solver.pooling.pooling_model import OrderLine as OrderLine
from solver.pooling.pooling_model import PoolingInputs as PoolingInputs
from solver.pooling.pooling_model import PoolingOrder as PoolingOrder
from solver.pooling.pooling_model import Transport as Transport
from solver.pooling.pooling_model import Travel as Travel
from solver.pooling.pooling_model import load_order as load_order
from solver.pooling.pooling_model import order_from_dict as order_from_dict
from solver.pooling.pooling_model import resolve_group as resolve_group

__all__ = [
    "OrderLine",
    "PoolingAnswer",
    "PoolingInputs",
    "PoolingOrder",
    "SHARING_RULES",
    "Transport",
    "Travel",
    "answer_to_json",
    "apply_relaxation",
    "check_pooling_order",
    "load_order",
    "order_from_dict",
    "resolve_group",
    "share",
]
