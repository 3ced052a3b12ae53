"""Purchase lines located in the sourcing arrays, and what a re-plan starts from.

:class:`LineRefs` places lines given by ids (orders already sent, a previous plan's lines)
in the arrays of :class:`~solver.sourcing.data.MatchData`; :class:`History` is what was
bought before the first week of the arrays, the opening state of a re-plan's first window
(:mod:`solver.sourcing.revision` builds both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = [
    "LINE_DIRECT",
    "LINE_PLATFORM",
    "LINE_REFERENCE",
    "History",
    "LineRefs",
    "restrict_lines",
]

#: Channel kinds of :class:`LineRefs`: a direct pair's line (direct drop or farm pickup),
#: a platform line, a reference wholesaler's line.
LINE_DIRECT, LINE_PLATFORM, LINE_REFERENCE = 0, 1, 2


class LineRefs(NamedTuple):
    """Purchase lines located in the arrays (fixed orders, a previous plan's lines).

    ``kind`` is :data:`LINE_DIRECT` (``a`` = direct pair, ``b`` = offer),
    :data:`LINE_PLATFORM` (``a`` = offer, ``b`` = kitchen) or :data:`LINE_REFERENCE`
    (``a`` = kitchen, ``b`` = product); ``week`` indexes ``MatchData.weeks``; ``qty`` is in
    purchase units. ``kind = -1`` marks a line with no place in the arrays (a previous
    line whose pair or offer no longer exists; ``a`` = kitchen): it can only change.
    """

    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray
    week: np.ndarray
    qty: np.ndarray

    @staticmethod
    def empty() -> LineRefs:
        """No line."""
        z = np.zeros(0, dtype=int)
        return LineRefs(z, z, z, z, np.zeros(0))

    def take(self, sel: np.ndarray) -> LineRefs:
        """The lines ``sel`` (a mask or indices)."""
        return LineRefs(*(f[sel] for f in self))


@dataclass
class History:
    """What was bought before the first week of the arrays (the weeks a re-plan keeps):
    the opening state of the first window. EUR unless told; ``(K,)`` arrays per kitchen.

    ``reg_kg[p, k]`` is the kg producer ``p`` sold kitchen ``k`` in that kitchen's last
    week with demand before the horizon (``reg_seen[k]``: there was one), what the
    regularity penalty compares the first week with.
    """

    stock: np.ndarray  # (K, I) units in stock at the start of the first week
    value: np.ndarray
    egalim: np.ndarray
    bio: np.ndarray
    mf_value: np.ndarray
    mf_egalim: np.ndarray
    local: np.ndarray
    meals: np.ndarray  # meals served before the first week
    drop_prev: np.ndarray  # (PK,) bool: direct drop in the week before the first week
    reg_kg: np.ndarray  # (P, K)
    reg_seen: np.ndarray  # (K,) bool

    def restrict(self, k_idx: np.ndarray, pk_keep: np.ndarray) -> History:
        """The history of kitchens ``k_idx`` and direct pairs ``pk_keep`` (a mask)."""
        return History(
            stock=self.stock[k_idx],
            value=self.value[k_idx],
            egalim=self.egalim[k_idx],
            bio=self.bio[k_idx],
            mf_value=self.mf_value[k_idx],
            mf_egalim=self.mf_egalim[k_idx],
            local=self.local[k_idx],
            meals=self.meals[k_idx],
            drop_prev=self.drop_prev[pk_keep],
            reg_kg=self.reg_kg[:, k_idx],
            reg_seen=self.reg_seen[k_idx],
        )


def restrict_lines(
    lines: LineRefs | None, new_of: np.ndarray, pk_k: np.ndarray, pk_new: np.ndarray
) -> LineRefs | None:
    """The lines of the kitchens kept (``new_of[k] >= 0``), renumbered."""
    if lines is None:
        return None
    k = lines.a.copy()  # reference and unplaced lines: a is the kitchen
    d, pl = lines.kind == LINE_DIRECT, lines.kind == LINE_PLATFORM
    k[d] = pk_k[lines.a[d]]
    k[pl] = lines.b[pl]
    kept = lines.take(new_of[k] >= 0)
    a, b = kept.a.copy(), kept.b.copy()
    d, pl = kept.kind == LINE_DIRECT, kept.kind == LINE_PLATFORM
    by_kitchen = ~(d | pl)
    a[d] = pk_new[kept.a[d]]
    a[by_kitchen] = new_of[kept.a[by_kitchen]]
    b[pl] = new_of[kept.b[pl]]
    return kept._replace(a=a, b=b)
