"""One territory's sourcing data cut down to some of its kitchens (a group of the decomposition).

Producers, offers and products are all kept, so their indices stay those of the whole
territory; the kitchens, their direct pairs, their fixed and previous lines, and their
wholesaler ranges are re-indexed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from solver.sourcing.data import MatchData
from solver.sourcing.lines import restrict_lines

__all__ = ["restrict_kitchens"]


def restrict_kitchens(data: MatchData, k_idx: np.ndarray) -> MatchData:
    """The same problem for the kitchens ``k_idx`` only, with their direct pairs.

    Producers, offers and products are all kept, so their indices stay those of ``data``.
    """
    k_idx = np.asarray(k_idx, dtype=int)
    new_of = np.full(len(data.kitchens), -1)
    new_of[k_idx] = np.arange(len(k_idx))
    keep = new_of[data.pk_k] >= 0
    ks = k_idx.tolist()
    pk_new = np.cumsum(keep) - 1
    return dataclasses.replace(
        data,
        fixed=restrict_lines(data.fixed, new_of, data.pk_k, pk_new),
        previous=restrict_lines(data.previous, new_of, data.pk_k, pk_new),
        history=None if data.history is None else data.history.restrict(k_idx, keep),
        kitchens=[data.kitchens[k] for k in ks],
        demand=data.demand[k_idx],
        meals=data.meals[k_idx],
        future=data.future[k_idx],
        reach=data.reach[k_idx],
        ref_price=data.ref_price[k_idx],
        ref_egalim=data.ref_egalim[k_idx],
        ref_bio=data.ref_bio[k_idx],
        ref_supplier=[data.ref_supplier[k] for k in ks],
        ref_labels=[data.ref_labels[k] for k in ks],
        pk_p=data.pk_p[keep],
        pk_k=new_of[data.pk_k[keep]],
        pk_cost=data.pk_cost[keep],
        pk_channel=[c for c, kp in zip(data.pk_channel, keep, strict=True) if kp],
        pk_weekday=data.pk_weekday[keep],
        plat_kitch=data.plat_kitch[k_idx],
        plat_k_q=data.plat_k_q[k_idx],
        max_deliveries=data.max_deliveries[k_idx],
        storage_chilled_kg=data.storage_chilled_kg[k_idx],
        storage_ambient_kg=data.storage_ambient_kg[k_idx],
        budget_eur_per_meal=data.budget_eur_per_meal[k_idx],
        t_egalim=data.t_egalim[k_idx],
        t_bio=data.t_bio[k_idx],
        t_meat_fish=data.t_meat_fish[k_idx],
        t_local=data.t_local[k_idx],
        kitchen_weekdays=[data.kitchen_weekdays[k] for k in ks],
        **_restrict_ranges(data, new_of),
    )


def _restrict_ranges(data: MatchData, new_of: np.ndarray) -> dict[str, Any]:
    """The wholesaler's other ranges of the kept kitchens, re-indexed."""
    keep = new_of[data.rx_k] >= 0 if len(data.rx_k) else np.zeros(0, dtype=bool)
    idx = np.flatnonzero(keep)
    return {
        "rx_k": new_of[data.rx_k[idx]] if len(idx) else np.zeros(0, dtype=int),
        "rx_i": data.rx_i[idx],
        "rx_price": data.rx_price[idx],
        "rx_egalim": data.rx_egalim[idx],
        "rx_bio": data.rx_bio[idx],
        "rx_supplier": [data.rx_supplier[j] for j in idx],
        "rx_labels": [data.rx_labels[j] for j in idx],
    }
