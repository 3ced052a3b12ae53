r"""Sourcing and matching: which kitchen buys what from whom, week by week.

The model
=========

Sets
----
``K`` purchasing kitchens, ``I`` products, ``P`` producers, ``O`` offers (a producer's
product), ``W`` calendar weeks (Mondays, holidays included), ``PK`` direct pairs allowed by
:mod:`solver.prepare.eligibility` whose producer and kitchen share a delivery weekday, ``PP`` /
``PK_pl``
producers / kitchens of the platform's round (sharing a weekday with the round).

Data
----
``d[k,i,w]`` demand (purchase units), ``L_i = floor(shelf_life_days / 7)`` for storable
products (else 0), ``F[k,i,w] = min(sum_{j=1..L_i} d[k,i,w+j], storage / kg_i)`` the most
that may be in stock at the end of week ``w``, ``R = d + F`` the most worth buying in week
``w``; ``cap[o,w] = Offer.capacity_in_month(month of w's Thursday)``; ``c_o`` producer price,
``(1 + margin) c_o`` platform price, ``c^ref[k,i]`` the kitchen's reference wholesaler;
``min_kg_p, min_eur_p``, ``n_p`` (every n weeks), ``D_p`` (drops per week), ``D_k`` (max
deliveries a week); ``f_pk`` EUR per direct drop, ``g_pw`` per platform pickup, ``h`` per
platform stop (logistics estimate, :mod:`solver.sourcing.data`); target shares ``t^E, t^B,
t^MF, t^L`` and budget ``b_k`` EUR per meal, ``meals[k,w]``.

Variables
---------
``xd[o,k,w] >= 0`` bought directly (``(p(o),k) in PK``), ``xp[o,k,w] >= 0`` through the
platform, ``xr[k,i,w] >= 0`` from the reference wholesaler, ``s[k,i,w] >= 0`` stock at the end
of ``w`` (storable), binaries ``y[p,k,w]`` (direct drop), ``z[p,w]`` (platform pickup, pooled
over kitchens), ``v[k,w]`` (platform stop), ``r[k,w]`` (wholesaler delivery), ``a[p,w]``
(producer delivers that week, only when ``n_p > 1``), ``u[p,k,w] in [0,1]`` (new supplier),
shortfalls ``sh[k,T] >= 0`` for ``T`` in egalim, bio, meat_fish_egalim, local, budget.
Lines are created only where ``cap > 0`` and ``R > 0``; drops ``(p,k,w)`` (pickups
``(p,w)``) whose producer's minimum cannot be reached even at full reach and capacity are
pruned, with their lines (valid: no feasible plan uses them).

Objective (MIN_COST)
--------------------
``min  sum c xd + sum (1+m) c xp + sum c^ref xr + sum (f_pk + e1) y + sum g z + sum (h + e1) v
+ sum e1 r + sum e2 u + 1e-4 sum s + sum_k sum_T pi_T sh[k,T]``, with tie-breaks ``e1 = 0.5``
EUR a delivery (fewer deliveries) and ``e2 = 0.5`` EUR a new supplier (the same supplier
week after week) (:class:`~solver.sourcing.model.Tiebreak`), penalties ``pi_T`` from
:class:`~solver.sourcing.data.TargetPenalties` (EUR per missing EUR of share; 1000 in hard
mode). MAX_LOCAL: every cost term is weighted 0.05 and each EUR bought from a producer
(``xd``, ``xp``) earns -1: the most local value, within the budget (penalised 2 EUR/EUR).

Constraints (each one function in :mod:`solver.sourcing.model`)
----------------------------------------------------------------
* ``_add_demand_balance``: ``sum_o xd + sum_o xp + xr + s[w-1] - s[w] = d`` (fresh products
  have no ``s``: bought the week they are used); ``s[k,i,w] <= sum_{j<=L_i} d[k,i,w+j]``
  (shelf life, a variable bound).
* ``_add_storage``: ``sum_i kg_i s[k,i,w] <= storage_chilled_kg`` over chilled and frozen
  products, ``<= storage_ambient_kg`` over ambient ones.
* ``_add_capacity``: ``sum_k xd[o,k,w] + xp[o,k,w] <= cap[o,w]`` (shared, seasonal).
* ``_add_min_orders``: ``xd <= min(cap, R) y``; ``sum_i kg xd >= min_kg y``; ``sum c xd >= min_eur
  y``; platform: ``xp <= min(cap, R) z``, ``xp <= min(cap, R) v``, ``sum_{k,i} kg xp >= min_kg z``,
  ``sum c xp >= min_eur z`` (the pooled pickup; both minimums apply when both are set).
* ``_add_min_lots``: an order line of an offer with ``min_lot`` is 0 or at least the lot,
  ``min_lot b <= x <= M b`` with a binary ``b`` per such line.
* ``_add_platform_capacity``: ``sum kg xp[.,.,w] <= van payload x round days``; chilled and
  frozen goods stay off a platform without a refrigerated van.
* ``_add_reference_link``: ``xr <= R r``.
* ``_add_producer_frequency``: ``sum_k y[p,k,w] + z[p,w] <= D_p``; ``y, z <= a[p,w]``,
  ``sum_{w'=w..w+n_p-1} a[p,w'] <= 1`` (at most one delivery week in ``n_p`` consecutive).
* ``_add_kitchen_deliveries``: ``sum_p y[p,k,w] + v[k,w] + r[k,w] <= D_k`` (distinct
  suppliers delivering: direct drops, +1 for the platform, +1 for the wholesaler).
* Delivery days: a direct pair needs a weekday in both the producer's ``delivery_weekdays``
  and the kitchen's (a pure farm pickup needs only the kitchen's); the platform needs a
  round weekday in the producer's and in the kitchen's days (filtered in the data).
* ``_add_targets`` (value ``V = c x`` at the price paid): ``sum (e - t^E) V + sh_E >= 0``,
  the same for organic (``b``), for meat-and-fish (over those families only) and for local
  (``xd``, ``xp`` are local; the wholesaler is not); ``sum V - sh_budget <= b_k meals_k``.
  EGALIM groups count each euro once (bio > SIQO > externalités/performance > autres,
  :func:`solver.core.domain.egalim_group`).
* ``_add_continuity``: ``u[p,k,w] >= y[p,k,w] - y[p,k,w-1]``.

Decomposition and yearly targets
--------------------------------
The law's shares are annual, so targets are per kitchen over the whole horizon. A full
school year in one MIP is too big (issue 4's probe), so the run has three steps:

1. **The year's LP relaxation** (all weeks, all kitchens, integrality dropped, the same
   objective; the tie-break links and minimum lots, which an LP meets fractionally for
   almost nothing, are left out: a further relaxation). It is solved by interior point
   without crossover (the demo's year: ~30 s, against ~100 s with crossover and more with
   dual simplex) within at least 40 % of its group's share of ``params.time_limit_s``
   (groups below; a relaxation that does not finish in its time is tried again, with
   the bound's time, for the bound only). It gives a lower bound, the
   duals of the yearly target rows (``mu[k,T]``, EUR per EUR of share) and of the demand
   balances (``lambda[k,i,w]``, EUR per unit in stock at the start of week ``w``), and a
   forecast: what the LP buys in every week.
2. **Windows of** ``params.window_weeks`` **weeks solved in order as MIPs.** Each carries
   what earlier windows committed (:class:`~solver.sourcing.model.WindowState`): the stock
   left, the last week's drops, the weeks each producer delivered (``every n weeks``) and
   the EUR bought towards every target. Its target rows run over the **whole year**:
   committed + window + the LP's forecast for the later weeks
   (``sum_{w < w1} (e - t) V + F_{>= w1} + sh >= 0``, budget over every meal), so a
   window buys organic or stays under budget as much as the year needs, not more. Its
   closing stock is credited at ``lambda`` of the next week (without the LP, at the
   cheapest unit price the kitchen could pay later). On the demo's year these two LP
   signals take the plan from 952,338 to 946,315 EUR against a 940,806 bound (gap 1.2 %
   -> 0.58 %, 100 s). Without the LP (too big or out of time) the rows run over what was
   bought so far plus the window.
3. **The bound** is computed beside the windows, on a helper thread (MathOpt releases the
   GIL; the machine has 2 cores): see below. The same thread solves step 1 first, for
   every group of kitchens of a big territory (below) before any group's bound: the
   relaxations do not depend on each other, so the windows of a group never wait for
   their LP but the first group's.

The plan that results satisfies every constraint of the monolithic model (stock,
frequency and continuity rows straddling a boundary use the committed values), and its
cost is evaluated with the monolithic objective: food + logistics + tie-breaks + ``pi``
times the *final* (yearly) shortfalls. The forecast and the stock credit steer the windows
only and are left out of that evaluation.

Each window first solves its reference-only plan (an LP: every binary fixed to 0 but the
wholesaler's, always feasible), hands it to HiGHS as the first incumbent, then runs the
MIP to an absolute gap of ``params.mip_gap`` times the window's demand at wholesale prices
(a relative gap on an objective that carries the year's penalties would be loose); the
better plan is kept, so a window that runs out of time still has a plan. Time: the
windows end by 95 % of their group's time (60 % when the bound must follow them) and
share it by size (kitchen-product-weeks with demand); the first windows, with no
history, are the hardest and may take up to 2.5 fair shares, but never leave the windows
after them less than 60 % of their first share, nor take less than half a fair share
themselves (without that floor the last windows of a 16x group got 0.1 s, fell back to
the wholesaler and cost 9.8 % over the bound instead of 1.9 %).

Lower bound
-----------
Every plan feasible for the monolithic MIP is feasible for its LP relaxation, so ``LP <=
MIP optimum <= cost of the plan returned``. Pruned drops remove only variables no feasible
plan can use, so pruning keeps the bound valid. The LP is weak on fixed charges (a drop's
logistics cost is paid pro rata of a fractional ``y``), so the run lifts it with a
**Lagrangian decomposition** over the same windows, each solved as a **MIP**: (a) the
yearly target rows are dualised with multipliers ``mu[k,T]`` in ``[0, pi_T]``: ``pi *
max(0, sum_w g_w) >= mu * sum_w g_w`` for ``g = t V - Q`` (budget: ``V - b meals``,
constant ``-mu b meals`` added once), so each window pays ``mu g_w``; (b) the
stock-linking equalities ``stock_in(window w+1) = stock_out(window w)`` are dualised with
any real multiplier ``lambda[k,i]``: a window buys its opening stock at ``lambda`` (up to
the shelf-life/storage bound) and sells its closing stock at ``lambda``; the terms cancel
for every plan of the monolithic model; (c) rows that straddle a boundary (every-n-weeks,
continuity) are dropped (a relaxation). For any multipliers the sum of the windows' optima
is a lower bound (weak duality), and so is the sum of their MIP *bounds*. With the LP's
own duals as multipliers the windows' LP values add up to about the LP's value, and
integrality inside each window lifts it (demo: 938,899 -> 940,806 EUR). The run reports
the larger of the two.

Without the LP, the same decomposition is solved with LP windows after the primal ones,
keeping the best of a few passes that move ``lambda`` to the windows' duals and bisect
``mu`` on the sign of the yearly shortfall: valid but loose (~20 % on the demo). With a
single window (e.g. a cook's 4-week proposal) the window *is* the monolithic model and the
engine's own MIP bound is reported. ``SourcingResult.bound_method`` says which bound was
used.

Groups of kitchens
------------------
Above ``_GROUP_PAIR_WEEKS`` (supplier, kitchen) pair-weeks (~1.2 demos) the kitchens are
cut into spatial groups of about a demo's size, balanced by model size (k-means centres,
then each kitchen to a near centre under a 105 % cap on the candidate order lines,
:func:`_kitchen_groups`), and planned one after the other with the three steps above,
each group's windows 2 weeks long and within a share of the time limit proportional to
its size (up to twice that share when the groups after it keep 60 % of theirs: they
mostly stop early). The helper thread solves every group's year relaxation first, within
half the time limit, each up to twice its share of what is left of it (a 16x group's LP
takes 22-36 s beside the windows; at a fixed 40 % of the group's share, 32 s, five of 15
stopped on a slower machine, those groups planned blind and were bounded by the loose
Lagrangian: 11.25 %; with the budget none stopped, 3.16 %), then each group's bound once
its windows start.

Kitchens of different groups share producers near the groups' borders (on the 16x
territory 1,003 of 2,544 producers with direct pairs serve kitchens of two groups or
more), so a group *plans* with what earlier groups left: each offer's weekly capacity
minus what they bought, each producer's drops a week minus theirs, a producer delivering
every ``n`` weeks only in the weeks it already delivers or ``n`` weeks and more away from
them (:func:`_every_n_open`), the platform's kg a week minus theirs, shared out by the
platform kitchens' demand. A platform pickup an earlier group made is open to later
groups at no cost, outside the producer's drop count and without a minimum (the earlier
group met it on its own, so the union does). A reservation price on direct drops that
kitchens of later groups could also take (15 or 40 EUR a drop in the windows' objective)
changed nothing measurable on the 16x territory (3.16-3.18 % against 3.17 % without), so
none is used. Neither did the order nor the windows: groups planned by colour of a greedy
colouring of their sharing graph (4 colours, so that a group waits only for neighbours of
earlier colours, never for a chain of squeezed ones) gave 3.19 %, 3-week windows 3.15 % in
1,038 s instead of 730 s. The joint year LP of the two groups sharing most producers (43
kitchens, 92 producers in common) is 0.05 % above the sum of their two LPs: what the
groups share costs almost nothing in the continuous capacities; it is in the integer rows
(1-3 drops a week per producer, every-``n``-weeks deliveries, pooled pickup minimums),
which the sum of group bounds cannot see. Yet what a group planned last lacks is
capacity: planned again with the full capacities it costs 3.8 % less (906 k -> 872 k EUR;
drops a week restored: 0.2 %), close to its cost alone. Splitting capacity better did
not help the total either: prices per (offer, week) from a subgradient step on the
groups' bounds gave 3.33 %; reserving for later groups what their bound solutions use
(shared in proportion where short) 3.14 %, the early groups losing what the late ones
gained. What is short is EGALIM supply within reach: in a 16x plan half the units bought
locally (238 k of 474 k) come from offer-weeks sold out (2,102 of 17,408 used), mostly
organic staples (bread, pasta, apples, rice), and every group misses its EGALIM share
(30-40 % against 50 %). Neither fragments nor pickups explain the gap: capacity left below
a producer's minimum order after the groups' purchases is 3.9 t in 169 producer-weeks, and
the platform's pickups cost 2,546 EUR in all (splitting them better in the bound could add
at most 1,608 EUR).

The bound of the territory is the **sum of the groups' bounds**, each computed on its
group alone with every producer's full capacity, drops and delivery weeks (a
relaxation), the pooled pickup minimums left out (a relaxation) and each pickup charged
``1/n`` of its cost to each of the ``n`` groups on the platform's round (any split that
adds up to at most the cost is below what one pickup costs). Every plan of the territory,
cut along the groups, is feasible for these group relaxations at no more than its cost,
so the sum is a lower bound. It ignores what the groups share, so the gap grows with the
number of groups: see ``benchmarks/matching_scale.py`` and the README for the measured
curve.

Engine choice (measured, ``benchmarks/matching_scale.py --engines``)
-------------------------------------------------------------------
The matrix is built once with numpy/scipy and handed to MathOpt as a ``ModelProto`` filled
from arrays (no per-variable Python objects). Same 4-week window of the 1x synthetic
territory (6,539 variables, 9,577 rows, 487 binaries), 30 s limit, this 2-core machine:

=========  ===========  ===========  ===========  =======  ===========================
engine     objective    bound        gap          time s   note
=========  ===========  ===========  ===========  =======  ===========================
HiGHS      53,328.41    53,231.51    0.18 %       11.2     stops at the 0.2 % target
SCIP       53,277.68    53,253.44    0.05 %       17.5     slower to the same target
CP-SAT     -            -            -            -        refuses continuous variables
=========  ===========  ===========  ===========  =======  ===========================

Issue 4's probe also found CP-SAT 5.7 % after 30 s on a one-week model with cents scaled
to integers (knapsack rows with large coefficients). HiGHS is the default: fastest to the
target gap, bundled, and it returns its incumbent at a time limit through MathOpt (the
model-builder interface returned nothing then, so it is not used).

Hard targets
------------
In hard mode the shortfalls get a 1000 EUR/EUR penalty: the model first minimises the
total missing EUR (the cheapest relaxation), then the cost. If a shortfall remains, the
LP relaxation with every shortfall fixed to 0 is solved: when it is infeasible, no plan
can meet the targets (``status="INFEASIBLE"``, proven), else the decomposition failed to
find one (``status="NO_SOLUTION_WITHIN_LIMIT"``). Either way the answer is a
:class:`HardInfeasibility` naming the target, the shortfall and the relaxation, never an
exception.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple, cast

import numpy as np
import pandas as pd

from solver.core import Channel, PurchaseLine, PurchasePlan, Scenario, SolveParams, TargetMode
from solver.prepare import Eligibility
from solver.sourcing.data import (
    LogisticsOverrides,
    MatchData,
    TargetPenalties,
    build_match_data,
    restrict_kitchens,
)
from solver.sourcing.model import WindowSolution, build_window, solve_window
from solver.sourcing.window import (
    TARGETS,
    ObjectiveSpec,
    Tiebreak,
    WindowModel,
    WindowState,
    bound_state,
    initial_state,
)

__all__ = [
    "ENGINE_MEASUREMENTS",
    "HardInfeasibility",
    "LogisticsOverrides",
    "SourcingResult",
    "TargetPenalties",
    "TargetShortfall",
    "Tiebreak",
    "WindowStats",
    "solve_sourcing",
]

logger = logging.getLogger(__name__)

#: What was measured when choosing the engine (filled from benchmarks/matching_scale.py).
ENGINE_MEASUREMENTS = ""

_TOL_EUR = 1e-3
_FALLBACK = ("y", "z", "v", "a", "lot")
#: Automatic window: about this many (supplier, kitchen) pair-weeks per window (4 weeks for
#: the demo's ~800 pairs and for each group of kitchens of a bigger territory) so that a
#: window's MIP finds plans in time.
_PAIR_WEEKS_PER_WINDOW = 6_000
#: Above this many pair-weeks (of one group) the year's LP is not tried (memory, time):
#: plain windows and the LP-window Lagrangian bound only. Groups are ~35,000-65,000.
_MAX_PAIR_WEEKS_LP = 100_000
_TARGET_RULES = ("target_egalim", "target_bio", "target_meat_fish", "target_local", "budget")
#: Above this many pair-weeks the kitchens are solved in spatial groups of about this size
#: (the demo, ~34,000, is one group; its year relaxation takes ~30 s).
_GROUP_PAIR_WEEKS = 40_000
#: The year relaxations run first on the helper thread, one per group, within this share
#: of the time limit; each may take up to twice its share of what is left, and at least
#: ``_RELAXATION_SHARE`` of its group's planned time. (With 0.4 of the planned time as the
#: only limit, 5 of the 16x territory's 15 relaxations stopped at ~30 s on a slower 2-core
#: machine: those groups planned without the year's signals, bounded by the loose
#: Lagrangian, and the gap was 11.25 %; with this budget none stopped: 3.16 % in 980 s.)
_RELAXATION_BUDGET = 0.5
_RELAXATION_SHARE = 0.4
#: Seconds a pair-week below which a group's windows are 2 weeks, not 4: the demo's year
#: (120 s, ~34,000 pair-weeks) keeps 4; a 16x group alone with 75 s (~40,000) gets 2
#: (measured: 4 weeks 9.8 % from its bound, 2 weeks 1.9 %).
_S_PER_PAIR_WEEK_4W = 2.5e-3


@dataclass(frozen=True)
class TargetShortfall:
    """A target missed over the horizon.

    ``required``/``achieved``/``shortfall`` are in ``unit``: ``"%"`` for the shares, ``"EUR/meal"``
    for the budget (achieved = food cost per meal). ``shortfall_eur`` is the missing EUR of
    share (or EUR over budget); ``penalty_eur`` what the objective charged for it.
    """

    kitchen_id: str
    target: str
    required: float
    achieved: float
    shortfall: float
    unit: str
    penalty_eur: float
    shortfall_eur: float = 0.0


@dataclass(frozen=True)
class HardInfeasibility:
    """Why hard targets cannot be met, and the cheapest relaxation found.

    ``target``/``kitchen_id``/``shortfall`` name the largest miss (in EUR);
    ``relaxations`` lists every target to relax, to the value the plan achieves;
    ``proven`` is True when the LP relaxation with every target hard is infeasible.
    """

    target: str
    kitchen_id: str
    required: float
    achieved: float
    shortfall: float
    unit: str
    cheapest_relaxation: str
    relaxations: tuple[TargetShortfall, ...]
    proven: bool


@dataclass(frozen=True)
class WindowStats:
    """One window of the decomposition."""

    first_week: dt.date
    last_week: dt.date
    n_vars: int
    n_rows: int
    n_binaries: int
    status: str
    objective_eur: float
    bound_eur: float
    runtime_s: float


@dataclass
class SourcingResult:
    """The plan and how good it is."""

    plan: PurchasePlan
    status: str
    objective_eur: float
    lower_bound_eur: float
    gap: float
    runtime_s: float
    target_shortfalls: list[TargetShortfall]
    hard_infeasibility: HardInfeasibility | None
    windows: list[WindowStats] = field(default_factory=list)
    food_cost_eur: float = 0.0
    logistics_cost_eur: float = 0.0
    penalty_eur: float = 0.0
    bound_runtime_s: float = 0.0
    bound_status: str = ""
    bound_method: str = ""
    groups: int = 1

    def summary(self) -> str:
        """A few human lines: status, cost, bound, gap, targets missed."""
        n_lines = len(self.plan.lines)
        out = [
            f"status {self.status}: objective {self.objective_eur:,.2f} EUR "
            f"(food {self.food_cost_eur:,.2f}, logistics {self.logistics_cost_eur:,.2f} "
            f"[{self.plan.logistics_source}], penalties {self.penalty_eur:,.2f})",
            f"lower bound {self.lower_bound_eur:,.2f} EUR ({self.bound_method}), "
            f"gap {self.gap:.3%}, "
            f"{self.runtime_s:.1f} s, {len(self.windows)} window(s)"
            + (f" in {self.groups} groups of kitchens" if self.groups > 1 else "")
            + f", {n_lines} lines",
        ]
        for s in self.target_shortfalls:
            out.append(
                f"  {s.kitchen_id}: {s.target} {s.achieved:.2f} vs {s.required:.2f} {s.unit} "
                f"(short {s.shortfall:.2f}, penalty {s.penalty_eur:,.2f} EUR)"
            )
        if self.hard_infeasibility is not None:
            h = self.hard_infeasibility
            out.append(
                f"hard targets not met ({'proven' if h.proven else 'not proven'}): "
                f"{h.cheapest_relaxation}"
            )
        return "\n".join(out)


# --------------------------------------------------------------------------- extraction


@dataclass
class _Acc:
    """Everything the windows bought, as flat arrays (one entry per line)."""

    week: list[np.ndarray] = field(default_factory=list)
    kitchen: list[np.ndarray] = field(default_factory=list)
    product: list[np.ndarray] = field(default_factory=list)
    supplier: list[np.ndarray] = field(default_factory=list)  # producer index, -1 reference
    channel: list[np.ndarray] = field(default_factory=list)  # 0 direct 1 farm 2 platform 3 ref
    qty: list[np.ndarray] = field(default_factory=list)
    price: list[np.ndarray] = field(default_factory=list)
    offer: list[np.ndarray] = field(default_factory=list)  # offer index, -1 reference
    cost_eur: float = 0.0  # objective without target penalties
    logistics_eur: float = 0.0

    def lines(self) -> _Lines:
        """The lines of every window so far, each field one array."""
        return _Lines(*(np.concatenate(getattr(self, f)) for f in _Lines._fields))


class _Lines(NamedTuple):
    week: np.ndarray
    kitchen: np.ndarray
    product: np.ndarray
    supplier: np.ndarray
    channel: np.ndarray
    qty: np.ndarray
    price: np.ndarray
    offer: np.ndarray


def _commit(
    m: WindowModel, sol: WindowSolution, data: MatchData, state: WindowState, acc: _Acc
) -> None:
    """Record a window's purchases and carry its state to the next window."""
    x = np.maximum(sol.x, 0.0)
    cost = np.concatenate(m.vars.cost)
    s_idx = m.s.ravel()
    acc.cost_eur += float(cost @ x - cost[s_idx] @ x[s_idx])
    qd, qp, qr = x[m.xd], x[m.xp], x[m.xr]
    eps = 1e-7
    sd, spl, sr = qd > eps, qp > eps, qr > eps
    ch_d = np.array([1 if c is Channel.FARM_PICKUP else 0 for c in data.pk_channel], dtype=int)
    acc.week.append(np.concatenate([m.xd_t[sd], m.xp_t[spl], m.xr_t[sr]]) + m.w0)
    acc.kitchen.append(np.concatenate([data.pk_k[m.xd_pk[sd]], m.xp_k[spl], m.xr_k[sr]]))
    acc.product.append(np.concatenate([data.o_i[m.xd_o[sd]], data.o_i[m.xp_o[spl]], m.xr_i[sr]]))
    acc.supplier.append(
        np.concatenate([data.pk_p[m.xd_pk[sd]], data.o_p[m.xp_o[spl]], np.full(int(sr.sum()), -1)])
    )
    acc.channel.append(
        np.concatenate(
            [
                ch_d[m.xd_pk[sd]] if len(ch_d) else np.zeros(0, int),
                np.full(int(spl.sum()), 2),
                np.full(int(sr.sum()), 3),
            ]
        )
    )
    acc.qty.append(np.concatenate([qd[sd], qp[spl], qr[sr]]))
    acc.price.append(np.concatenate([m.xd_value[sd], m.xp_value[spl], m.xr_value[sr]]))
    acc.offer.append(np.concatenate([m.xd_o[sd], m.xp_o[spl], np.full(int(sr.sum()), -1)]))

    yv, zv, vv = x[m.y] > 0.5, x[m.z] > 0.5, x[m.v] > 0.5
    acc.logistics_eur += float(
        data.pk_cost[m.y_pk[yv]].sum()
        + data.plat_pickup_cost[m.z_p[zv], m.w0 + m.z_t[zv]].sum()
        + data.plat_stop_cost * vv.sum()
    )
    n_t = m.w1 - m.w0
    state.drop_prev = np.zeros(len(data.pk_p), dtype=bool)
    state.drop_prev[m.y_pk[yv & (m.y_t == n_t - 1)]] = True
    state.delivered[data.pk_p[m.y_pk[yv]], m.w0 + m.y_t[yv]] = True
    state.delivered[m.z_p[zv], m.w0 + m.z_t[zv]] = True
    inv_end = np.zeros_like(state.inv0)
    last = m.inv_t == n_t - 1
    inv_end[m.inv_k[last], m.inv_i[last]] = x[m.inv[last]]
    state.inv0 = np.where(inv_end > eps, inv_end, 0.0)
    # running balances
    k = acc.kitchen[-1]
    i = acc.product[-1]
    val = acc.qty[-1] * acc.price[-1]
    o = acc.offer[-1]
    is_ref = o < 0
    egal = np.where(is_ref, data.ref_egalim[k, i], data.o_egalim[np.maximum(o, 0)])
    bio = np.where(is_ref, data.ref_bio[k, i], data.o_bio[np.maximum(o, 0)])
    mf = data.meat_fish[i]
    n_k = len(data.kitchens)
    state.value += np.bincount(k, val, minlength=n_k)
    state.egalim += np.bincount(k, val * egal, minlength=n_k)
    state.bio += np.bincount(k, val * bio, minlength=n_k)
    state.mf_value += np.bincount(k, val * mf, minlength=n_k)
    state.mf_egalim += np.bincount(k, val * mf * egal, minlength=n_k)
    state.local += np.bincount(k, val * ~is_ref, minlength=n_k)


def _shortfalls(
    data: MatchData, state: WindowState, pen: np.ndarray
) -> tuple[np.ndarray, list[TargetShortfall]]:
    """Final (yearly) shortfall EUR per kitchen and target, and the report rows."""
    meals = data.meals.sum(axis=1)
    eur = np.stack(
        [
            np.maximum(0.0, data.t_egalim * state.value - state.egalim),
            np.maximum(0.0, data.t_bio * state.value - state.bio),
            np.maximum(0.0, data.t_meat_fish * state.mf_value - state.mf_egalim),
            np.maximum(0.0, data.t_local * state.value - state.local),
            np.maximum(0.0, state.value - data.budget_eur_per_meal * meals),
        ],
        axis=1,
    )
    rows: list[TargetShortfall] = []
    for k, kid in enumerate(data.kitchens):
        base = [state.value[k], state.value[k], state.mf_value[k], state.value[k]]
        got = [state.egalim[k], state.bio[k], state.mf_egalim[k], state.local[k]]
        req = [data.t_egalim[k], data.t_bio[k], data.t_meat_fish[k], data.t_local[k]]
        for j, name in enumerate(TARGETS[:4]):
            if eur[k, j] > _TOL_EUR and base[j] > 0:
                ach = 100.0 * got[j] / base[j]
                rows.append(
                    TargetShortfall(
                        kid,
                        name,
                        100 * req[j],
                        ach,
                        100 * req[j] - ach,
                        "%",
                        pen[j] * eur[k, j],
                        eur[k, j],
                    )
                )
        if eur[k, 4] > _TOL_EUR and meals[k] > 0:
            ach = state.value[k] / meals[k]
            b = data.budget_eur_per_meal[k]
            rows.append(
                TargetShortfall(
                    kid, "budget", b, ach, ach - b, "EUR/meal", pen[4] * eur[k, 4], eur[k, 4]
                )
            )
    return eur, rows


def _plan(scenario: Scenario, data: MatchData, acc: _Acc) -> PurchasePlan:
    if not acc.qty:
        return PurchasePlan(weeks=tuple(data.weeks), logistics_source=data.logistics_source)
    week, kit, prod, sup, chan, qty, price, offer = acc.lines()
    order = np.lexsort((prod, sup, kit, week))
    channels = (Channel.DIRECT, Channel.FARM_PICKUP, Channel.PLATFORM, Channel.REFERENCE)
    ref_names = {r.supplier_id: r.supplier_name for r in scenario.reference_offers}
    pk_day = {
        (int(p), int(k)): int(d)
        for p, k, d in zip(data.pk_p, data.pk_k, data.pk_weekday, strict=True)
    }
    lines = []
    for j in order:
        k, i, w, c = int(kit[j]), int(prod[j]), int(week[j]), channels[int(chan[j])]
        monday = data.weeks[w]
        q = float(qty[j])
        if c is Channel.REFERENCE:
            sid = data.ref_supplier[k][i]
            name = ref_names.get(sid, "")
            labels = data.ref_labels[k][i]
            day = min(data.kitchen_weekdays[k]) if data.kitchen_weekdays[k] else 1
        else:
            p = int(sup[j])
            sid, name = data.producers[p], data.producer_names[p]
            labels = data.o_labels[int(offer[j])]
            day = data.plat_weekday if c is Channel.PLATFORM else pk_day.get((p, k), 1)
        lines.append(
            PurchaseLine(
                week_start=monday,
                delivery_date=monday + dt.timedelta(days=day - 1),
                kitchen_id=data.kitchens[k],
                supplier_id=sid,
                supplier_name=name,
                product_id=data.products[i],
                quantity=round(q, 6),
                quantity_kg=round(q * float(data.kg_per_unit[i]), 6),
                unit_price_eur=round(float(price[j]), 6),
                value_eur=round(q * float(price[j]), 6),
                labels=tuple(labels),
                channel=c,
                local=c is not Channel.REFERENCE,
            )
        )
    return PurchasePlan(
        weeks=tuple(data.weeks),
        lines=tuple(lines),
        logistics_cost_eur=round(acc.logistics_eur, 6),
        logistics_source=data.logistics_source,
    )


# --------------------------------------------------------------------------- solve


def _lagrangian_bound(
    data: MatchData,
    windows: list[tuple[int, int]],
    mu: np.ndarray,
    params: SolveParams,
    time_left_s: float,
    kw: ObjectiveSpec,
    passes: int = 8,
    start_prices: list[np.ndarray] | None = None,
    drop_rules: tuple[str, ...] = (),
) -> tuple[float, str, float]:
    """Best over a few passes of the sum of the windows' relaxations' LP optima.

    Every pass gives a valid lower bound (module docstring); between passes the stock
    multipliers of each boundary move to the mean of the two windows' duals of their
    demand rows there (the marginal value of a unit of stock on each side), and each
    target multiplier moves halfway toward its penalty when the pass's plans fall short of
    the target over the year, halfway toward 0 when they exceed it (a bisection on the
    subgradient's sign).
    """
    pen_row = kw.penalty_row()
    mu = mu.copy()
    t0 = time.perf_counter()
    n_b = len(windows) - 1
    price_in = start_prices or [data.cheapest_price.copy() for _ in range(n_b)]
    best, status = float("nan"), "not computed"
    for n_pass in range(passes):
        total = 0.0
        g = np.zeros_like(mu)
        close_dual: list[np.ndarray] = []
        open_dual: list[np.ndarray] = []
        ok = True
        for n_done, (w0, w1) in enumerate(windows):
            m = build_window(
                data,
                w0,
                w1,
                bound_state(data),
                kw,
                lagrangian=mu,
                stock_price_in=price_in[n_done - 1] if n_done > 0 else None,
                stock_price_out=price_in[n_done] if n_done < n_b else None,
            )
            spent = time.perf_counter() - t0
            left = time_left_s - spent
            if n_pass == 0:  # the first pass must finish: it is the bound
                per = left / (len(windows) - n_done)
            else:
                per = left / (len(windows) - n_done)
                if left < 1.2 * spent / n_pass * (len(windows) - n_done) / len(windows):
                    return best, status, time.perf_counter() - t0  # no time for this pass
            sol = solve_window(m, params, max(0.5, per), relax=True, drop_rules=drop_rules)
            if sol.status != "OPTIMAL" or sol.duals is None:
                ok = False
                if not np.isfinite(best):
                    status = f"window {w0}-{w1}: {sol.status}"
                break
            total += sol.objective + m.constant_eur
            a = sol.x[m.agg].sum(axis=1)  # (K, 6): value, egalim, bio, local, mf value, mf egalim
            g[:, 0] += data.t_egalim * a[:, 0] - a[:, 1]
            g[:, 1] += data.t_bio * a[:, 0] - a[:, 2]
            g[:, 2] += data.t_meat_fish * a[:, 4] - a[:, 5]
            g[:, 3] += data.t_local * a[:, 0] - a[:, 3]
            g[:, 4] += a[:, 0]
            rows = m.balance_row
            d = np.where(rows >= 0, sol.duals[np.maximum(rows, 0)], np.nan)
            open_dual.append(d[:, :, 0])
            close_dual.append(d[:, :, -1])
        if not ok:
            break
        if not np.isfinite(best) or total > best:
            best, status = total, "OPTIMAL"
        g[:, 4] -= data.budget_eur_per_meal * data.meals.sum(axis=1)
        mu = np.where(g > 1e-6, 0.5 * (mu + pen_row[None, :]), np.where(g < -1e-6, 0.5 * mu, mu))
        for b in range(n_b):
            pair = np.stack([close_dual[b], open_dual[b + 1]])
            both = np.isfinite(pair).all(axis=0)
            one = np.where(np.isfinite(pair[0]), pair[0], pair[1])
            mean = np.where(both, 0.5 * (pair[0] + pair[1]), one)
            price_in[b] = np.where(np.isfinite(mean), mean, price_in[b])
    return best, status, time.perf_counter() - t0


def _stock_prices(
    data: MatchData, acc: _Acc, mu: np.ndarray, windows: list[tuple[int, int]]
) -> list[np.ndarray]:
    """Starting stock multipliers: what the plan paid per unit for each product in the
    first week after each boundary, priced with the target multipliers ``mu`` (a unit
    counting for a target is worth its share of the penalty); the reference price when
    nothing was bought then."""
    week, k, i, _, _, q, price, o = acc.lines()
    ref = o < 0
    oo = np.maximum(o, 0)
    egal = np.where(ref, data.ref_egalim[k, i], data.o_egalim[oo]).astype(float)
    bio = np.where(ref, data.ref_bio[k, i], data.o_bio[oo]).astype(float)
    loc = (~ref).astype(float)
    mf = data.meat_fish[i].astype(float)
    m = mu[k]
    factor = (
        1.0
        + m[:, 0] * (data.t_egalim[k] - egal)
        + m[:, 1] * (data.t_bio[k] - bio)
        + m[:, 2] * mf * (data.t_meat_fish[k] - egal)
        + m[:, 3] * (data.t_local[k] - loc)
        + m[:, 4]
    )
    ref_eff = data.ref_price * (
        1.0
        + mu[:, 0:1] * (data.t_egalim[:, None] - data.ref_egalim)
        + mu[:, 1:2] * (data.t_bio[:, None] - data.ref_bio)
        + mu[:, 3:4] * data.t_local[:, None]
        + mu[:, 4:5]
    )
    out = []
    for _, w1 in windows[:-1]:
        sel = week == w1
        num = np.zeros_like(data.ref_price)
        den = np.zeros_like(data.ref_price)
        np.add.at(num, (k[sel], i[sel]), q[sel] * price[sel] * factor[sel])
        np.add.at(den, (k[sel], i[sel]), q[sel])
        out.append(np.where(den > 0, num / np.maximum(den, 1e-12), ref_eff))
    return out


#: Rows left out of the year's relaxation: tie-break links (0.5 EUR a wholesaler delivery, a
#: new supplier), minimum lots, which an LP meets fractionally at almost no cost, and the
#: links of platform lines to their pickup and stop (two rows per line: most of the rows
#: where many producers are on the round). A further relaxation, still a lower bound, that
#: the Lagrangian windows (with every row) then lift. Demo year: 18.7 s instead of ~40 s,
#: 0.2 % lower; a 4x group: 15 s instead of 87 s, 0.5 % lower.
_RELAXATION_DROPS = (
    "reference_link",
    "continuity",
    "min_lot_upper",
    "min_lot_lower",
    "pickup_link",
    "platform_stop_link",
)


@dataclass
class _Relaxation:
    """The year's LP relaxation: its value, its plan's aggregates and its duals."""

    objective_eur: float
    agg: np.ndarray  # (K, W, 6) value, egalim, bio, local, meat-fish value, meat-fish egalim
    mu: np.ndarray  # (K, 5) multipliers of the yearly target rows, in [0, penalty]
    stock_price: np.ndarray  # (K, I, W) dual of the demand balance: EUR a unit in stock
    runtime_s: float


def _solve_relaxation(
    data: MatchData,
    kw: ObjectiveSpec,
    params: SolveParams,
    time_limit_s: float,
    drop_rules: tuple[str, ...] = (),
) -> _Relaxation | None:
    """The monolithic model's LP relaxation over the whole horizon, by interior point.

    ``None`` when it does not finish within ``time_limit_s``.
    """
    full = build_window(data, 0, data.n_weeks, initial_state(data), kw)
    sol = solve_window(
        full,
        params,
        time_limit_s,
        relax=True,
        barrier=True,
        crossover=False,
        drop_rules=_RELAXATION_DROPS + drop_rules,
    )
    if sol.status != "OPTIMAL" or sol.duals is None:
        logger.info("year relaxation: %s after %.1fs", sol.status, sol.runtime_s)
        return None
    pen = np.asarray(full.penalty)
    mu = np.zeros((len(data.kitchens), len(TARGETS)))
    for j, rule in enumerate(_TARGET_RULES):
        a, b = full.rows.rules[rule]
        # ">=" share rows have duals >= 0; the "<=" budget row a dual <= 0
        mu[:, j] = sol.duals[a:b] * (-1.0 if rule == "budget" else 1.0)
    mu = np.clip(mu, 0.0, pen[None, :])
    rows = full.balance_row
    price = np.where(rows >= 0, sol.duals[np.maximum(rows, 0)], data.cheapest_price[:, :, None])
    return _Relaxation(
        objective_eur=sol.objective,
        agg=sol.x[full.agg],
        mu=mu,
        stock_price=price,
        runtime_s=sol.runtime_s,
    )


def _lagrangian_mip_bound(
    data: MatchData,
    windows: list[tuple[int, int]],
    rel: _Relaxation,
    params: SolveParams,
    deadline: float,
    kw: ObjectiveSpec,
    drop_rules: tuple[str, ...] = (),
) -> tuple[float, str, float]:
    """Sum over windows of the MIP bounds of their Lagrangian relaxations (module docstring,
    "Lower bound"), with the year relaxation's duals as multipliers.

    Valid for any multipliers; with the LP's own duals the sum of the windows' *LP* values
    is about the LP's value, and integrality inside each window lifts it. Returns
    ``(bound, status, seconds)``; the bound is ``nan`` if a window has no finite bound.
    """
    t0 = time.perf_counter()
    total = 0.0
    n_last = data.n_weeks
    for n_done, (w0, w1) in enumerate(windows):
        m = build_window(
            data,
            w0,
            w1,
            bound_state(data),
            kw,
            lagrangian=rel.mu,
            stock_price_in=rel.stock_price[:, :, w0] if w0 > 0 else None,
            stock_price_out=rel.stock_price[:, :, w1] if w1 < n_last else None,
        )
        left = deadline - time.perf_counter()
        sol = solve_window(
            m,
            params,
            max(0.5, left / (len(windows) - n_done)),
            abs_gap_eur=params.mip_gap * _window_value(data, w0, w1),
            drop_rules=drop_rules,
        )
        bound = sol.bound
        if not np.isfinite(bound):  # no MIP bound in its time: the window's LP is one too
            lp = solve_window(
                m,
                params,
                max(0.5, 0.5 * left / (len(windows) - n_done)),
                relax=True,
                drop_rules=drop_rules,
            )
            if lp.status != "OPTIMAL":
                return float("nan"), f"window {w0}-{w1}: {lp.status}", time.perf_counter() - t0
            bound = lp.objective
        total += bound + m.constant_eur
    return total, "OPTIMAL", time.perf_counter() - t0


def _pair_weeks(data: MatchData) -> int:
    """(supplier, kitchen) pairs x weeks: the size that drives the models' size."""
    return max(1, len(data.pk_p) + int(data.plat_prod.sum())) * data.n_weeks


def _kitchen_groups(scenario: Scenario, data: MatchData, seed: int) -> list[np.ndarray]:
    """Kitchens cut into spatial groups of about ``_GROUP_PAIR_WEEKS`` pair-weeks each (one
    group for the demo or a cook's proposal), of about equal model size.

    k-means on the kitchens' coordinates gives the centres; each round then assigns the
    kitchens to the nearest centres under a size cap (``_balanced_labels``) and moves the
    centres to their kitchens' mean, until the groups stop changing (plain k-means gave
    16x groups of 15 to 30 kitchens, and the largest group's year relaxation did not finish
    in its time).
    """
    n_k = len(data.kitchens)
    n_groups = min(int(np.ceil(_pair_weeks(data) / _GROUP_PAIR_WEEKS)), n_k)
    if n_groups <= 1:
        return [np.arange(n_k)]
    from sklearn.cluster import KMeans

    where = {c.id: (c.lat, c.lon) for c in scenario.canteens}
    xy = np.array([where[k] for k in data.kitchens], dtype=float)
    xy[:, 1] *= np.cos(np.radians(xy[:, 0].mean()))  # degrees of longitude are shorter
    centres = KMeans(n_clusters=n_groups, n_init=4, random_state=seed).fit(xy).cluster_centers_
    size = _kitchen_lines(data)
    labels = np.full(n_k, -1)
    for _ in range(20):
        new = _balanced_labels(xy, size, centres)
        if (new == labels).all():
            break
        labels = new
        centres = np.array(
            [
                xy[labels == g].mean(axis=0) if (labels == g).any() else centres[g]
                for g in range(n_groups)
            ]
        )
    groups = [np.flatnonzero(labels == g) for g in range(n_groups)]
    groups = [g for g in groups if len(g)]
    return sorted(groups, key=lambda g: (float(xy[g, 1].mean()), int(g[0])))


def _kitchen_lines(data: MatchData) -> np.ndarray:
    """Candidate order lines a week of each kitchen: its direct producers' offers, and the
    platform's offers when it is on the round (what its share of a model's size grows
    with)."""
    offers = np.bincount(data.o_p, minlength=len(data.producers)).astype(float)
    lines = np.bincount(data.pk_k, weights=offers[data.pk_p], minlength=len(data.kitchens))
    return lines + data.plat_kitch * float(offers[data.plat_prod].sum())


def _balanced_labels(xy: np.ndarray, size: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each kitchen to a centre, least total squared distance, no group above 105 % of an
    equal share of ``size`` (a transportation LP; its few split kitchens go to the centre
    holding most of them)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n_k, n_g = len(xy), len(centres)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).ravel()
    cap = max(1.05 * size.sum() / n_g, float(size.max()))
    col = np.arange(n_k * n_g)
    one = coo_matrix((np.ones(n_k * n_g), (col // n_g, col)), shape=(n_k, n_k * n_g))
    load = coo_matrix((np.repeat(size, n_g), (col % n_g, col)), shape=(n_g, n_k * n_g))
    res = linprog(
        d2 / max(float(d2.max()), 1e-12),
        A_ub=load,
        b_ub=np.full(n_g, cap),
        A_eq=one,
        b_eq=np.ones(n_k),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0:  # cannot happen (cap >= an equal share); plain nearest centre
        return np.argmin(d2.reshape(n_k, n_g), axis=1)
    return np.argmax(res.x.reshape(n_k, n_g), axis=1)


def _group_windows(
    data: MatchData, params: SolveParams, budget_s: float, *, split: bool = False
) -> list[tuple[int, int]]:
    """The windows of one group of kitchens: ``params.window_weeks``, else about
    ``_PAIR_WEEKS_PER_WINDOW`` pair-weeks each, at most 4 weeks, and at most 2 when the
    territory is ``split`` in groups or the group has less than ``_S_PER_PAIR_WEEK_4W``
    seconds a pair-week: 4-week windows' MIPs then stop far from their optimum (measured
    on the last 16x group alone, 150 s: 4 weeks 17.6 % from its bound, every window stopped
    by its time limit; 2 weeks 1.4 %)."""
    pair_weeks = _pair_weeks(data)
    n_pairs = pair_weeks // data.n_weeks
    weeks = params.window_weeks or max(1, min(4, _PAIR_WEEKS_PER_WINDOW // n_pairs))
    if params.window_weeks is None and (split or budget_s < _S_PER_PAIR_WEEK_4W * pair_weeks):
        weeks = min(weeks, 2)
    return _windows(data.n_weeks, weeks)


def _every_n_open(every_n: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """(P, W) bool: weeks a producer may still deliver given the weeks it ``delivered``
    (P, W) to other kitchens: those weeks, and any week at least ``every_n`` weeks from
    all of them (a producer delivers at most one week in any ``n`` consecutive ones)."""
    n_w = delivered.shape[1]
    near = np.zeros_like(delivered)
    for p in np.flatnonzero((every_n > 1) & delivered.any(axis=1)):
        for d in np.flatnonzero(delivered[p]):
            near[p, max(0, d - every_n[p] + 1) : min(n_w, d + every_n[p])] = True
    return delivered | ~near


def _time_limit(left: float, fair: float, reserved: float, *, most: float, least: float) -> float:
    """Seconds for the next of several steps (a window, a group): up to ``most`` fair
    shares while ``reserved`` seconds stay for the steps after it, never less than
    ``least`` fair shares nor more than the ``left`` seconds."""
    return min(left, max(least * fair, min(most * fair, left - reserved)))


def _window_value(data: MatchData, w0: int, w1: int) -> float:
    """EUR of the window's demand at the wholesaler's prices (scale of its MIP gap)."""
    return float((data.demand[:, :, w0:w1] * data.ref_price[:, :, None]).sum()) + 1.0


def _windows(n_weeks: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n_weeks)) for a in range(0, n_weeks, size)]


@dataclass
class _ClusterRun:
    """What one group of kitchens' solve produced."""

    acc: _Acc
    state: WindowState
    stats: list[WindowStats]
    lower: float
    bound_status: str
    bound_method: str
    bound_rt: float
    all_optimal: bool
    pen: np.ndarray
    drops: list[np.ndarray] = field(default_factory=list)  # (p, w) of every direct drop
    pickups: list[np.ndarray] = field(default_factory=list)  # (p, w) of every platform pickup
    #: the bound computed on the helper: ``(bound, status, seconds, method)``
    bound_job: Future[tuple[float, str, float, str]] | None = None

    def collect_bound(self) -> None:
        """Wait for the helper's bound and keep it if it beats the one at hand."""
        if self.bound_job is None:
            return
        lagr, lagr_status, lagr_rt, method = self.bound_job.result()
        self.bound_job = None
        self.bound_rt += lagr_rt
        if np.isfinite(lagr) and not (lagr <= self.lower):  # also when no bound is at hand
            self.lower, self.bound_status, self.bound_method = lagr, lagr_status, method


def _solve_cluster(
    data: MatchData,
    bound_data: MatchData,
    params: SolveParams,
    budget_s: float,
    kw: ObjectiveSpec,
    *,
    windows: list[tuple[int, int]],
    rel_job: Future[_Relaxation | None] | None,
    helper: ThreadPoolExecutor,
    bound_share: Callable[[], float],
    compute_bound: bool,
    bound_drops: tuple[str, ...] = (),
    progress: Callable[[float, str], None] | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> _ClusterRun:
    """Windows and bound of one group of kitchens within ``budget_s`` seconds.

    ``data`` is what the plan may use (capacities left by groups solved before);
    ``bound_data`` the relaxation the bound is computed on (full capacities, shared pickup
    costs split between groups) with the rows of ``bound_drops`` left out. ``rel_job`` is
    the year's relaxation of ``bound_data``, computed ahead on ``helper`` (``None``: not
    tried); the Lagrangian bound is queued on ``helper`` too and runs beside the windows
    and later groups, within ``bound_share()`` seconds from when it starts; the run's
    ``bound_job`` holds it.
    """
    t_start = time.perf_counter()
    single = len(windows) == 1
    lo, hi = span

    def elapsed() -> float:
        return time.perf_counter() - t_start

    def report(frac: float, msg: str) -> None:
        if progress:
            progress(lo + (hi - lo) * frac, msg)

    lower, bound_rt, bound_status = float("nan"), 0.0, "not computed"
    bound_method = "MIP bound of the single window" if single else "none"
    rel = rel_job.result() if rel_job is not None else None
    if rel_job is not None:
        report(
            0.2,
            "year relaxation: "
            + (f"{rel.objective_eur:,.2f} EUR in {rel.runtime_s:.1f}s" if rel else "no"),
        )
    if rel is not None:
        lower, bound_status = rel.objective_eur, "OPTIMAL"
        bound_method = "LP relaxation of the year"
        bound_rt = rel.runtime_s
    # the primal windows end by this time; the Lagrangian bound runs beside them (2 cores),
    # or after them when there is no relaxation to take multipliers from
    share = 0.95 if (single or rel is not None or not compute_bound) else 0.6
    deadline = time.perf_counter() + share * (budget_s - elapsed())
    bound_job = None
    # the bound's windows are at least 4 weeks: fewer rows straddle them (measured on a
    # 16x group: 2-week windows 0.09 % below its LP, 4-week ones 0.41 % above)
    bound_windows = _windows(data.n_weeks, max(4, max(b - a for a, b in windows)))
    mip_method = "Lagrangian windows solved as MIPs, LP multipliers"

    def mip_bound(relaxation: _Relaxation, until: float) -> tuple[float, str, float]:
        return _lagrangian_mip_bound(
            bound_data, bound_windows, relaxation, params, until, kw, bound_drops
        )

    if rel is not None and compute_bound:

        def bound() -> tuple[float, str, float, str]:
            return (*mip_bound(rel, time.perf_counter() + bound_share()), mip_method)

        bound_job = helper.submit(bound)
    state = initial_state(data)
    acc = _Acc()
    # windows share the time by their size (kitchen-product-weeks with demand)
    size = np.array([(data.demand[:, :, a:b] > 0).sum() + 1.0 for a, b in windows])
    first_share = (deadline - time.perf_counter()) * size / size.sum()
    run = _ClusterRun(
        acc,
        state,
        [],
        lower,
        bound_status,
        bound_method,
        bound_rt,
        True,
        np.zeros(len(TARGETS)),
        bound_job=bound_job,
    )
    window_bound = float("nan")
    for n_done, (w0, w1) in enumerate(windows):
        last = w1 == data.n_weeks
        m = build_window(
            data,
            w0,
            w1,
            state,
            kw,
            lookahead=None if (rel is None or last) else rel.agg[:, w1:, :].sum(axis=1),
            stock_price_out=None if (rel is None or last) else rel.stock_price[:, :, w1],
        )
        left = deadline - time.perf_counter()
        fair = left * size[n_done] / size[n_done:].sum()
        # the first windows are the hardest (no history): up to 2.5 fair shares, as
        # long as 60 % of their first share is left to the windows after, and never
        # less than half a fair share
        reserved = 0.6 * first_share[n_done + 1 :].sum()
        limit = max(0.1, _time_limit(left, fair, reserved, most=2.5, least=0.5))
        # a reference-only plan (an LP: every binary but the wholesaler's fixed to 0) is
        # the engine's first incumbent and the fallback if the MIP finds nothing better
        base = solve_window(m, params, max(1.0, 0.3 * limit), relax=True, fix_zero=_FALLBACK)
        if base.has_solution:  # wholesaler deliveries are 0/1 in a plan
            base.x[m.r] = (base.x[m.r] > 1e-9).astype(float)
            base.objective = m.objective_of(base.x)
            base.status = "FEASIBLE"
        sol = solve_window(
            m,
            params,
            max(0.1, limit - base.runtime_s),
            hint=base.x if base.has_solution else None,
            abs_gap_eur=None if single else params.mip_gap * _window_value(data, w0, w1),
        )
        if not sol.has_solution or (base.has_solution and base.objective < sol.objective - 1e-6):
            logger.warning(
                "weeks %d-%d: no MIP plan better than the fallback in %.1fs", w0, w1, limit
            )
            sol = base if base.has_solution else sol
            sol.status = "FEASIBLE" if base.has_solution else "NO_SOLUTION_WITHIN_LIMIT"
        run.all_optimal &= sol.status == "OPTIMAL"
        window_bound = sol.bound
        run.stats.append(
            WindowStats(
                first_week=data.weeks[w0],
                last_week=data.weeks[w1 - 1],
                n_vars=m.vars.n,
                n_rows=m.rows.n,
                n_binaries=m.n_binaries,
                status=sol.status,
                objective_eur=sol.objective,
                bound_eur=sol.bound,
                runtime_s=sol.runtime_s,
            )
        )
        yv, zv = sol.x[m.y] > 0.5, sol.x[m.z] > 0.5
        run.drops.append(np.stack([data.pk_p[m.y_pk[yv]], w0 + m.y_t[yv]], axis=1))
        run.pickups.append(np.stack([m.z_p[zv], w0 + m.z_t[zv]], axis=1))
        _commit(m, sol, data, state, acc)
        report(
            0.2 + 0.75 * (n_done + 1) / len(windows),
            f"weeks {data.weeks[w0]}..{data.weeks[w1 - 1]}: {sol.status} in {sol.runtime_s:.1f}s",
        )
    run.pen = np.array(m.penalty)
    if single:
        run.lower = window_bound
        run.bound_status = run.stats[0].status
        run.bound_rt = run.stats[0].runtime_s
    if compute_bound and not single and not np.isfinite(run.lower):
        eur, _ = _shortfalls(data, state, run.pen)
        mu = np.where(eur > _TOL_EUR, run.pen[None, :], 0.0)
        start = _stock_prices(bound_data, acc, mu, windows) if acc.qty else None
        loose = "Lagrangian windows (monolithic LP skipped or unfinished)"

        def loose_bound(seconds: float) -> tuple[float, str, float]:
            return _lagrangian_bound(
                bound_data,
                windows,
                mu,
                params,
                seconds,
                kw,
                start_prices=start,
                drop_rules=bound_drops,
            )

        if rel_job is None:  # not tried (too big): the loose bound, now
            run.bound_method = loose
            run.lower, run.bound_status, lagr_rt = loose_bound(budget_s - elapsed())
            run.bound_rt += lagr_rt
            report(1.0, f"lower bound {run.lower:,.2f} EUR ({run.bound_status})")
        else:
            # the relaxation did not finish in its time: the windows planned without it,
            # and the helper tries it again with the bound's time, then the bound from it

            def retry() -> tuple[float, str, float, str]:
                t0 = time.perf_counter()
                until = t0 + bound_share()
                again = _solve_relaxation(
                    bound_data, kw, params, 0.7 * (until - t0), drop_rules=bound_drops
                )
                if again is None:
                    value, status, _ = loose_bound(until - time.perf_counter())
                    return value, status, time.perf_counter() - t0, loose
                lagr, status, _ = mip_bound(again, until)
                if np.isfinite(lagr) and lagr > again.objective_eur:
                    return lagr, status, time.perf_counter() - t0, f"{mip_method} (LP retried)"
                method = "LP relaxation of the year (retried)"
                return again.objective_eur, "OPTIMAL", time.perf_counter() - t0, method

            run.bound_job = helper.submit(retry)
    return run


def solve_sourcing(
    scenario: Scenario,
    demand: pd.DataFrame,
    meals: pd.DataFrame,
    eligibility: Eligibility,
    *,
    params: SolveParams,
    kitchens: Sequence[str] | None = None,
    progress: Callable[[float, str], None] | None = None,
    logistics_cost_overrides: LogisticsOverrides | None = None,
    penalties: TargetPenalties | None = None,
    tiebreak: Tiebreak | None = None,
    compute_bound: bool = True,
) -> SourcingResult:
    """Plan the purchases of ``kitchens`` (default: all with demand) over the demand's weeks.

    Parameters
    ----------
    scenario
        The territory (objective and target modes come from ``scenario.settings``).
    demand
        ``solver.prepare.demand.weekly_demand`` output: ``kitchen_id, week_start, product_id,
        quantity`` (purchase units), ...
    meals
        ``solver.prepare.demand.meals_per_week`` output: ``kitchen_id, week_start, meals``.
    eligibility
        From :func:`solver.prepare.eligibility.build_eligibility`.
    params
        Time limit (for the whole call), seed, threads, MIP gap, window size.
    kitchens
        Restrict the plan to these purchasing kitchens (a cook's proposal).
    progress
        Called as ``progress(fraction_done, message)`` after each step.
    logistics_cost_overrides
        Costs replacing the logistics estimate (e.g. from the rounds module).
    penalties, tiebreak
        Soft-target penalties and tie-break weights (documented defaults).
    compute_bound
        Compute the Lagrangian lower bound of multi-window runs.

    Returns
    -------
    SourcingResult
        Never raises for infeasible targets: see ``status`` and ``hard_infeasibility``.
    """
    t_start = time.perf_counter()
    settings = scenario.settings
    mode, target_mode = settings.objective, settings.target_mode
    penalties = penalties or TargetPenalties()
    tiebreak = tiebreak or Tiebreak()
    data = build_match_data(
        scenario, demand, meals, eligibility, kitchens=kitchens, overrides=logistics_cost_overrides
    )
    kw = ObjectiveSpec(mode, target_mode, penalties, tiebreak)

    def elapsed() -> float:
        return time.perf_counter() - t_start

    groups = _kitchen_groups(scenario, data, params.seed)
    runs: list[_ClusterRun] = []
    plans: list[PurchasePlan] = []
    rows: list[TargetShortfall] = []
    group_penalty: list[float] = []
    subs = [restrict_kitchens(data, g) for g in groups]
    weight = np.array([_pair_weeks(sub) for sub in subs], dtype=float)
    used_cap = np.zeros_like(data.o_cap)
    drops_used = np.zeros((len(data.producers), data.n_weeks))
    plat_kg_used = np.zeros(data.n_weeks)
    pickup_done = np.zeros((len(data.producers), data.n_weeks), dtype=bool)
    kg_demand = (data.demand * data.kg_per_unit[None, :, None]).sum(axis=(1, 2))  # (K,)
    plat_weight = np.array([float((kg_demand * data.plat_kitch)[g].sum()) for g in groups])
    n_plat = sum(1 for g in groups if data.plat_kitch[g].any())
    # bound of each group: full capacities, each group pays 1/n of a shared pickup, pooled
    # pickup minimums dropped (see module docstring, "Groups of kitchens")
    bound_subs, bound_drops = subs, cast(tuple[str, ...], ())
    if len(groups) > 1:
        bound_subs = [
            dataclasses.replace(sub, plat_pickup_cost=data.plat_pickup_cost / max(1, n_plat))
            for sub in subs
        ]
        bound_drops = ("pickup_min_kg", "pickup_min_eur")
    planned_s = params.time_limit_s * weight / weight.sum()
    windows = [
        _group_windows(sub, params, t, split=len(groups) > 1)
        for sub, t in zip(subs, planned_s, strict=True)
    ]
    t_end = t_start + params.time_limit_s
    # one helper thread (the machine has 2 cores; MathOpt releases the GIL): first the year
    # relaxations of every group (they do not depend on each other), then each group's
    # Lagrangian bound, queued when its windows start; the windows run on this thread
    helper = ThreadPoolExecutor(max_workers=1)
    tried = np.array(
        [
            len(w) > 1 and _pair_weeks(b) <= _MAX_PAIR_WEEKS_LP
            for b, w in zip(bound_subs, windows, strict=True)
        ]
    )
    rel_until = t_start + _RELAXATION_BUDGET * params.time_limit_s

    def relaxation(n_g: int) -> _Relaxation | None:
        """Group ``n_g``'s year relaxation, when the helper reaches it: at least
        ``_RELAXATION_SHARE`` of the group's planned time, up to twice its share of what
        is left of the relaxations' budget."""
        left = rel_until - time.perf_counter()
        fair = left * weight[n_g] / weight[n_g:][tried[n_g:]].sum()
        limit = max(_RELAXATION_SHARE * planned_s[n_g], min(left, 2.0 * fair))
        return _solve_relaxation(bound_subs[n_g], kw, params, limit, drop_rules=bound_drops)

    rel_jobs = [helper.submit(relaxation, n_g) if tried[n_g] else None for n_g in range(len(subs))]

    def bound_share(n_g: int) -> Callable[[], float]:
        """Seconds for group ``n_g``'s bound when it starts (the bounds run in the groups'
        order): its share of what is left."""

        def share() -> float:
            left = t_end - time.perf_counter()
            return 0.95 * left * weight[n_g] / weight[n_g:].sum()

        return share

    try:
        for n_g, sub in enumerate(subs):
            if len(groups) > 1:
                # what earlier groups took: capacity, drops, platform kg; a producer
                # delivering every n weeks keeps the weeks it delivers and those n weeks
                # or more away from them
                cap = np.maximum(data.o_cap - used_cap, 0.0)
                # the platform's kg left are shared out by the platform kitchens' demand, so
                # that the first groups do not fill the vans the last ones depend on
                share = plat_weight[n_g] / max(plat_weight[n_g:].sum(), 1e-9)
                quota = np.maximum(data.plat_kg_week - plat_kg_used, 0.0) * share
                cap *= _every_n_open(data.every_n, drops_used > 0)[data.o_p]
                done = pickup_done.copy()
                sub = dataclasses.replace(
                    sub,
                    o_cap=cap,
                    drops_used=drops_used.copy(),
                    plat_kg_used=data.plat_kg_week - quota,
                    pickup_done=done,
                    plat_pickup_cost=np.where(done, 0.0, data.plat_pickup_cost),
                )
            job = rel_jobs[n_g]
            if job is not None and len(groups) > 1:
                job.result()  # waiting for it is shared by all groups left, not this one's
            left = t_end - time.perf_counter()
            # as the windows share a group's time (_solve_cluster): groups planned later
            # mostly stop early at their gap (fewer choices left), so a group may take up
            # to twice its fair share while the later ones keep 60 % of their planned one
            fair = left * weight[n_g] / weight[n_g:].sum()
            reserved = 0.6 * planned_s[n_g + 1 :].sum()
            run = _solve_cluster(
                sub,
                bound_subs[n_g],
                params,
                _time_limit(left, fair, reserved, most=2.0, least=1.0),
                kw,
                windows=windows[n_g],
                rel_job=rel_jobs[n_g],
                helper=helper,
                bound_share=bound_share(n_g),
                compute_bound=compute_bound,
                bound_drops=bound_drops,
                progress=progress,
                span=(n_g / len(groups), (n_g + 1) / len(groups)),
            )
            runs.append(run)
            logger.info(
                "group %d/%d: %d windows in %.1fs (%d within their gap)",
                n_g + 1,
                len(groups),
                len(run.stats),
                sum(w.runtime_s for w in run.stats),
                sum(w.status == "OPTIMAL" for w in run.stats),
            )
            eur, short_rows = _shortfalls(sub, run.state, run.pen)
            rows.extend(short_rows)
            group_penalty.append(float((eur * run.pen[None, :]).sum()))
            plans.append(_plan(scenario, sub, run.acc))
            if len(groups) > 1:
                if run.acc.qty:
                    bought = run.acc.lines()
                    wk, q = bought.week, bought.qty
                    mine = bought.offer >= 0
                    np.add.at(used_cap, (bought.offer[mine], wk[mine]), q[mine])
                    plat = bought.channel == 2
                    kg = q * data.kg_per_unit[bought.product]
                    np.add.at(plat_kg_used, wk[plat], kg[plat])
                for pw in run.drops:
                    np.add.at(drops_used, (pw[:, 0], pw[:, 1]), 1.0)
                for pw in run.pickups:  # one drop per pickup, however many groups share it
                    new = ~pickup_done[pw[:, 0], pw[:, 1]]
                    np.add.at(drops_used, (pw[new, 0], pw[new, 1]), 1.0)
                    pickup_done[pw[:, 0], pw[:, 1]] = True
        for run in runs:
            run.collect_bound()
    finally:
        helper.shutdown(wait=True, cancel_futures=True)
    penalty_eur = sum(group_penalty)
    for n_g, (g, run) in enumerate(zip(groups, runs, strict=True)):
        if len(groups) > 1:
            logger.info(
                "group %d/%d (%d kitchens): %.2f EUR, bound %.2f EUR (%s)",
                n_g + 1,
                len(groups),
                len(g),
                run.acc.cost_eur + group_penalty[n_g],
                run.lower,
                run.bound_method,
            )

    logistics = sum(r.acc.logistics_eur for r in runs)
    objective = sum(r.acc.cost_eur for r in runs) + penalty_eur
    lowers = [r.lower for r in runs]
    lower = float(sum(lowers)) if all(np.isfinite(x) for x in lowers) else float("nan")
    methods = sorted({r.bound_method for r in runs})
    bound_method = methods[0] if len(methods) == 1 else "; ".join(methods)
    if len(groups) > 1:
        bound_method = f"sum over {len(groups)} groups of kitchens of: {bound_method}"
    bound_status = "OPTIMAL" if all(r.bound_status == "OPTIMAL" for r in runs) else "PARTIAL"
    bound_rt = sum(r.bound_rt for r in runs)
    stats = [w for r in runs for w in r.stats]
    single = len(groups) == 1 and len(runs[0].stats) == 1
    all_optimal = all(r.all_optimal for r in runs)
    if np.isfinite(lower) and objective < lower <= objective + 1e-7 * max(1.0, abs(objective)):
        # an interior-point optimum is exact to ~1e-9: a plan that reaches it is optimal
        lower = objective
    gap = (
        (objective - lower) / abs(objective)
        if np.isfinite(lower) and objective != 0
        else float("nan")
    )
    if any(s.status == "NO_SOLUTION_WITHIN_LIMIT" for s in stats):
        status = "NO_SOLUTION_WITHIN_LIMIT"
    elif (single and all_optimal) or (np.isfinite(gap) and gap <= params.mip_gap + 1e-9):
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"

    hard: HardInfeasibility | None = None
    if target_mode is TargetMode.HARD and rows:
        full = build_window(data, 0, data.n_weeks, initial_state(data), kw)
        left = max(1.0, params.time_limit_s - elapsed())
        proof = solve_window(full, params, left, relax=True, fix_zero=("s",))
        proven = proof.status == "INFEASIBLE"
        worst = max(rows, key=lambda s: s.shortfall_eur)
        parts = []
        for s in rows:
            if s.target == "budget":
                parts.append(
                    f"raise the budget of {s.kitchen_id} from {s.required:.2f} "
                    f"to {s.achieved:.2f} EUR/meal"
                )
            else:
                parts.append(
                    f"lower {s.target} of {s.kitchen_id} from {s.required:.1f}% "
                    f"to {s.achieved:.1f}%"
                )
        hard = HardInfeasibility(
            target=worst.target,
            kitchen_id=worst.kitchen_id,
            required=worst.required,
            achieved=worst.achieved,
            shortfall=worst.shortfall,
            unit=worst.unit,
            cheapest_relaxation="; ".join(parts),
            relaxations=tuple(rows),
            proven=proven,
        )
        status = "INFEASIBLE" if proven else "NO_SOLUTION_WITHIN_LIMIT"

    lines = (
        list(plans[0].lines)
        if len(plans) == 1
        else sorted(
            (line for pl in plans for line in pl.lines),
            key=lambda x: (x.week_start, x.kitchen_id, x.supplier_id, x.product_id),
        )
    )
    plan = PurchasePlan(
        weeks=tuple(data.weeks),
        lines=tuple(lines),
        logistics_cost_eur=round(logistics, 6),
        logistics_source=data.logistics_source,
    )
    food = float(sum(line.value_eur for line in plan.lines))
    result = SourcingResult(
        plan=plan,
        status=status,
        objective_eur=objective,
        lower_bound_eur=lower,
        gap=gap,
        runtime_s=elapsed(),
        target_shortfalls=rows,
        hard_infeasibility=hard,
        windows=stats,
        food_cost_eur=food,
        logistics_cost_eur=logistics,
        penalty_eur=penalty_eur,
        bound_runtime_s=bound_rt,
        bound_status=bound_status,
        bound_method=bound_method,
        groups=len(groups),
    )
    logger.info("sourcing: %s", result.summary().splitlines()[0])
    return result
