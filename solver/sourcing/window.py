"""The pieces one window's model is made of: what it optimises, what earlier windows left
it, and its variables and rows as arrays.

:func:`solver.sourcing.model.build_window` fills a :class:`WindowModel`; the rules of
:mod:`solver.sourcing.constraints` append their rows to its :class:`RowBlocks`. Variable
and row indices are positions in these blocks, in the order they were added.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solver.core import ObjectiveMode, RegularityScope, TargetMode
from solver.sourcing.data import MatchData, TargetPenalties

__all__ = [
    "AGGREGATES",
    "MAX_LOCAL_COST_WEIGHT",
    "TARGETS",
    "ObjectiveSpec",
    "Ordering",
    "RowBlocks",
    "Tiebreak",
    "VarBlocks",
    "WindowModel",
    "WindowState",
    "bound_state",
    "initial_state",
]

#: Soft/hard targets of every kitchen, in the order of the shortfall variables.
TARGETS = ("egalim", "bio", "meat_fish_egalim", "local", "budget")

#: Columns of the value aggregates ``agg[k, t, j]`` (EUR bought by kitchen ``k`` in week
#: ``t``): all, EGALIM, organic, local, meat-and-fish, meat-and-fish EGALIM.
AGGREGATES = ("value", "egalim", "bio", "local", "mf_value", "mf_egalim")

#: In MAX_LOCAL mode a euro of cost weighs this much against a euro of local purchase.
MAX_LOCAL_COST_WEIGHT = 0.05


@dataclass(frozen=True)
class Tiebreak:
    """Small EUR penalties that break ties between plans of equal cost.

    ``per_delivery_eur`` for every delivery a kitchen receives (direct drop, platform stop,
    wholesaler) -> fewer deliveries; ``per_new_supplier_eur`` for each direct drop from a
    producer that did not deliver that kitchen the week before -> the same supplier week
    after week. Both are meant to stay far below any food price or drop cost difference
    that matters.
    """

    per_delivery_eur: float = 0.5
    per_new_supplier_eur: float = 0.5


@dataclass(frozen=True)
class Ordering:
    """What the weekly ordering cycle costs, in EUR (0: not counted).

    ``per_supplier_eur`` is a kitchen's effort for each distinct supplier it orders from in
    a week (a producer it buys from directly, the platform, the wholesaler);
    ``regularity_eur_per_kg`` prices each kg of week-to-week change of a producer's volume,
    per producer and kitchen or per producer (``regularity_scope``), so that producers get
    steady orders.
    """

    per_supplier_eur: float = 0.0
    regularity_eur_per_kg: float = 0.0
    regularity_scope: RegularityScope = RegularityScope.PRODUCER_KITCHEN

    def __post_init__(self) -> None:
        for name in ("per_supplier_eur", "regularity_eur_per_kg"):
            v = getattr(self, name)
            if not (v >= 0 and np.isfinite(v)):
                msg = f"{name} must be a finite number >= 0, got {v}"
                raise ValueError(msg)


@dataclass(frozen=True)
class ObjectiveSpec:
    """What a window optimises: the objective mode, how targets count (soft or hard),
    their penalties, the tie-breaks and the ordering costs; when the data carries a
    previous plan, ``change_eur`` per order line changed, or, ``lexicographic_changes``,
    the fewest changed lines first and the cost second."""

    mode: ObjectiveMode
    target_mode: TargetMode
    penalties: TargetPenalties
    tiebreak: Tiebreak
    ordering: Ordering = Ordering()
    change_eur: float = 0.0
    lexicographic_changes: bool = False

    @property
    def counts_changes(self) -> bool:
        """Whether changed lines enter the objective (with a previous plan)."""
        return self.lexicographic_changes or self.change_eur > 0

    @property
    def cost_weight(self) -> float:
        """Weight of a euro of cost in the objective (1, or less in MAX_LOCAL mode)."""
        return MAX_LOCAL_COST_WEIGHT if self.mode is ObjectiveMode.MAX_LOCAL else 1.0

    def penalty_row(self) -> np.ndarray:
        """EUR of objective per EUR of shortfall, one per target of :data:`TARGETS`."""
        if self.target_mode is TargetMode.HARD:
            return np.full(len(TARGETS), self.penalties.hard)
        p = self.penalties
        pen = np.array([p.egalim, p.bio, p.meat_fish_egalim, p.local, p.budget])
        if self.mode is ObjectiveMode.MAX_LOCAL:
            pen[3] = 0.0  # local is the objective itself
        return pen


@dataclass
class WindowState:
    """What earlier windows committed, carried into the next one (EUR unless told)."""

    inv0: np.ndarray  # (K, I) stock at the start of the window, purchase units
    drop_prev: np.ndarray  # (PK,) bool: direct drop in the week before the window
    delivered: np.ndarray  # (P, W) bool: weeks each producer delivered (any channel)
    value: np.ndarray  # (K,) bought so far
    egalim: np.ndarray  # (K,) of which EGALIM
    bio: np.ndarray  # (K,) of which organic
    mf_value: np.ndarray  # (K,) meat and fish bought so far
    mf_egalim: np.ndarray  # (K,) of which EGALIM
    local: np.ndarray  # (K,) bought from producers
    # regularity: kg per producer and kitchen (P, K) in each kitchen's last week with
    # demand before the window, and whether there was one (K,)
    reg_kg: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    reg_seen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def initial_state(data: MatchData) -> WindowState:
    """The state before the first window: what ``data.history`` records was bought
    before (a re-plan), else no stock, no history, nothing bought."""
    n_k, n_p = len(data.kitchens), len(data.producers)
    h = data.history
    if h is not None:
        return WindowState(
            inv0=h.stock.copy(),
            drop_prev=h.drop_prev.copy(),
            delivered=np.zeros((n_p, data.n_weeks), dtype=bool),
            value=h.value.copy(),
            egalim=h.egalim.copy(),
            bio=h.bio.copy(),
            mf_value=h.mf_value.copy(),
            mf_egalim=h.mf_egalim.copy(),
            local=h.local.copy(),
            reg_kg=h.reg_kg.copy(),
            reg_seen=h.reg_seen.copy(),
        )
    z = np.zeros(n_k)
    return WindowState(
        inv0=np.zeros((n_k, len(data.products))),
        drop_prev=np.zeros(len(data.pk_p), dtype=bool),
        delivered=np.zeros((n_p, data.n_weeks), dtype=bool),
        value=z.copy(),
        egalim=z.copy(),
        bio=z.copy(),
        mf_value=z.copy(),
        mf_egalim=z.copy(),
        local=z.copy(),
        reg_kg=np.zeros((n_p, n_k)),
        reg_seen=np.zeros(n_k, dtype=bool),
    )


def bound_state(data: MatchData) -> WindowState:
    """State of a bound window: no stock, no delivery history, every pair "delivered the
    week before" (the continuity row at the boundary is then void: a relaxation)."""
    st = initial_state(data)
    st.drop_prev[:] = True
    return st


class VarBlocks:
    """Columns of a window, added block by block: bounds, cost (EUR per unit) and
    integrality, each block named and its indices returned."""

    def __init__(self) -> None:
        self.n = 0
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.blocks: dict[str, slice] = {}

    def bound(self, idx: np.ndarray, lb: np.ndarray | float, ub: np.ndarray | float) -> None:
        """Set the bounds of columns ``idx`` (indices returned by :meth:`add`)."""
        idx = np.asarray(idx, dtype=np.int64)
        lb_all, ub_all = np.broadcast_to(lb, idx.shape), np.broadcast_to(ub, idx.shape)
        start = 0
        for lb_j, ub_j in zip(self.lb, self.ub, strict=True):
            sel = (idx >= start) & (idx < start + len(lb_j))
            lb_j[idx[sel] - start] = lb_all[sel]
            ub_j[idx[sel] - start] = ub_all[sel]
            start += len(lb_j)

    def add(
        self, name: str, n: int, ub: np.ndarray | float, cost: np.ndarray | float, integer: bool
    ) -> np.ndarray:
        """Append ``n`` columns in ``[0, ub]``; returns their indices."""
        idx = np.arange(self.n, self.n + n)
        self.blocks[name] = slice(self.n, self.n + n)
        self.lb.append(np.zeros(n))
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.integer.append(np.full(n, integer))
        self.n += n
        return idx


class RowBlocks:
    """Rows of a window as COO triplets, added rule by rule: ``lb <= A x <= ub``, the range
    of each rule's rows kept in ``rules``."""

    def __init__(self) -> None:
        self.n = 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.rules: dict[str, tuple[int, int]] = {}

    def add(
        self,
        rule: str,
        n_rows: int,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray | float,
        lb: np.ndarray | float,
        ub: np.ndarray | float,
    ) -> int:
        """Append ``n_rows`` rows; ``rows`` are local (0..n_rows-1). Returns the first row."""
        start = self.n
        if n_rows == 0:
            self.rules[rule] = (start, start)
            return start
        self.r.append(np.asarray(rows, dtype=np.int64) + start)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), (len(rows),)).copy())
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n_rows,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n_rows,)).copy())
        self.rules[rule] = (start, start + n_rows)
        self.n += n_rows
        return start


def _ints() -> np.ndarray:
    return np.zeros(0, dtype=int)


@dataclass
class WindowModel:
    """Variables, rows and index maps of the weeks ``[w0, w1)`` (all arrays, no per-arc
    objects). Week indices ``*_t`` are relative to ``w0``; every ``x*``, ``y``... field
    holds column indices, the fields after an underscore the line's or binary's key."""

    w0: int
    w1: int
    vars: VarBlocks
    rows: RowBlocks
    # direct lines: pair, offer, week, tight upper bound min(capacity, reach)
    xd: np.ndarray
    xd_pk: np.ndarray
    xd_o: np.ndarray
    xd_t: np.ndarray
    xd_big_m: np.ndarray
    # platform lines: offer, kitchen, week, tight upper bound
    xp: np.ndarray
    xp_o: np.ndarray
    xp_k: np.ndarray
    xp_t: np.ndarray
    xp_big_m: np.ndarray
    # reference (wholesaler) lines
    xr: np.ndarray
    xr_k: np.ndarray
    xr_i: np.ndarray
    xr_t: np.ndarray
    # stock at the end of a week
    inv: np.ndarray
    inv_k: np.ndarray
    inv_i: np.ndarray
    inv_t: np.ndarray
    # EUR paid for one unit of each line
    xd_value: np.ndarray
    xp_value: np.ndarray
    xr_value: np.ndarray
    # binaries: direct drop y[pk, t], pickup z[p, t], platform stop v[k, t], wholesaler
    # delivery r[k, t], delivery week a[p, t] (every n weeks), new supplier u (continuous)
    y: np.ndarray
    y_pk: np.ndarray
    y_t: np.ndarray
    z: np.ndarray
    z_p: np.ndarray
    z_t: np.ndarray
    v: np.ndarray
    v_k: np.ndarray
    v_t: np.ndarray
    r: np.ndarray
    r_k: np.ndarray
    r_t: np.ndarray
    a: np.ndarray
    a_p: np.ndarray
    a_t: np.ndarray
    u: np.ndarray
    # position of each line's binary within its block
    xd_drop: np.ndarray
    xp_pickup: np.ndarray
    xp_stop: np.ndarray
    xr_del: np.ndarray
    # minimum lots: one binary per line of an offer with a lot, the line's column, bounds
    lot: np.ndarray
    lot_x: np.ndarray
    lot_big_m: np.ndarray
    lot_min: np.ndarray
    # targets: shortfalls (K, len(TARGETS)) and value aggregates (K, T, len(AGGREGATES))
    s: np.ndarray
    agg: np.ndarray
    penalty: np.ndarray  # EUR per EUR of shortfall, per target
    # bound windows: opening stock bought at its Lagrangian price, constant term (EUR)
    inv_in: np.ndarray = field(default_factory=_ints)
    inv_in_k: np.ndarray = field(default_factory=_ints)
    inv_in_i: np.ndarray = field(default_factory=_ints)
    constant_eur: float = 0.0
    #: (K, I, T) row of each demand balance, -1 where there is none
    balance_row: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=int))
    #: heuristic objective terms of a non-final window (salvage of closing stock), not
    #: part of the monolithic objective
    extra_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: regularity: kg of change per (group, week), and the change binaries of the
    #: previous plan's lines and of new lines, plus the lines that must change anyway
    reg_dev: np.ndarray = field(default_factory=_ints)
    chg: np.ndarray = field(default_factory=_ints)
    chg_forced: int = 0
    #: for each change binary: its line's column, previous quantity (0 for a new line)
    #: and kg per unit
    chg_x: np.ndarray = field(default_factory=_ints)
    chg_q: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chg_kg_per_unit: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: range of each wholesaler line: -1 the cheapest reference offer, else ``MatchData.rx_*``
    xr_x: np.ndarray = field(default_factory=_ints)

    def objective_of(self, x: np.ndarray) -> float:
        """Window objective (heuristic terms included) of a solution ``x``."""
        cost = np.concatenate(self.vars.cost)
        if len(self.extra_cost):
            cost = cost + self.extra_cost
        return float(cost @ x)

    @property
    def n_binaries(self) -> int:
        """Integer variables of the window."""
        return int(sum(int(x.sum()) for x in self.vars.integer))
