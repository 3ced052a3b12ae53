"""The reference wholesaler's arrays of the sourcing data: per kitchen and product, the
cheapest reference offer of the kitchen's wholesaler (its own, else any), and the cheapest
offer of each other set of labels it sells the product under (a range, e.g. organic):
``rx_*``, further options of the model whose labels count toward the EGALIM and organic
shares, never the local one.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from solver.core import Canteen, EgalimGroup, Label, ReferenceOffer, Scenario, egalim_group

__all__ = ["Reference", "labels_flags", "reference_arrays"]


class Reference(NamedTuple):
    """Reference fields of :class:`~solver.sourcing.data.MatchData` (module docstring)."""

    ref_price: np.ndarray
    ref_egalim: np.ndarray
    ref_bio: np.ndarray
    ref_supplier: list[list[str]]
    ref_labels: list[list[tuple[Label, ...]]]
    rx_k: np.ndarray
    rx_i: np.ndarray
    rx_price: np.ndarray
    rx_egalim: np.ndarray
    rx_bio: np.ndarray
    rx_supplier: list[str]
    rx_labels: list[tuple[Label, ...]]


def reference_arrays(
    scenario: Scenario, canteens: list[Canteen], product_ids: list[str]
) -> Reference:
    """Reference supplier per kitchen and product: the kitchen's own, else any; its
    cheapest offer, and the cheapest offer of each other set of labels (a range).

    Raises ``ValueError`` when a demanded product has no reference offer.
    """
    ref_by_product: dict[str, list[ReferenceOffer]] = {}
    for r in scenario.reference_offers:
        ref_by_product.setdefault(r.product_id, []).append(r)
    n_k, n_i = len(canteens), len(product_ids)
    price = np.zeros((n_k, n_i))
    egal = np.zeros((n_k, n_i), dtype=bool)
    bio = np.zeros((n_k, n_i), dtype=bool)
    supplier = [["" for _ in range(n_i)] for _ in range(n_k)]
    labels: list[list[tuple[Label, ...]]] = [[() for _ in range(n_i)] for _ in range(n_k)]
    extra: list[tuple[int, int, ReferenceOffer]] = []
    missing = []
    for ki, c in enumerate(canteens):
        for ii, pid in enumerate(product_ids):
            cands = ref_by_product.get(pid, [])
            if not cands:
                missing.append(pid)
                continue
            own = [r for r in cands if r.supplier_id == c.reference_supplier_id]
            ranked = sorted(own or cands, key=lambda x: x.price_eur_per_unit)
            r = ranked[0]
            price[ki, ii] = r.price_eur_per_unit
            egal[ki, ii], bio[ki, ii] = labels_flags(r.labels)
            supplier[ki][ii] = r.supplier_id
            labels[ki][ii] = tuple(r.labels)
            seen = {frozenset(r.labels)}
            for other in ranked[1:]:
                if frozenset(other.labels) not in seen:
                    seen.add(frozenset(other.labels))
                    extra.append((ki, ii, other))
    if missing:
        names = ", ".join(sorted(set(missing))[:10])
        msg = f"reference_offers: no reference price for demanded product(s) {names}"
        raise ValueError(msg)
    flags = [labels_flags(r.labels) for _, _, r in extra]
    return Reference(
        ref_price=price,
        ref_egalim=egal,
        ref_bio=bio,
        ref_supplier=supplier,
        ref_labels=labels,
        rx_k=np.array([k for k, _, _ in extra], dtype=int),
        rx_i=np.array([i for _, i, _ in extra], dtype=int),
        rx_price=np.array([r.price_eur_per_unit for _, _, r in extra], dtype=float),
        rx_egalim=np.array([f[0] for f in flags], dtype=bool),
        rx_bio=np.array([f[1] for f in flags], dtype=bool),
        rx_supplier=[r.supplier_id for _, _, r in extra],
        rx_labels=[tuple(r.labels) for _, _, r in extra],
    )


def labels_flags(labels: tuple[Label, ...]) -> tuple[bool, bool]:
    """(counts for EGALIM, counts as organic) of a purchase with ``labels``."""
    grp = egalim_group(labels)
    return grp is not EgalimGroup.NON_EGALIM, grp is EgalimGroup.BIO
