"""Smallest relaxations: for an infeasible order, the smallest change of each kind that helps.

Each relaxation is computed alone, with its number. The allocation-stage ones are found by
re-running the cheap, exact allocation stage; a threshold is the smallest value that fixes every
short week the relaxation can fix at all (``closes_gap`` says whether that is every short week,
rounds included):

* extra weekly capacity per short week, exactly the gap (1 unit less leaves the week short);
* another set of delivery weekdays (same number of days first, else fewer: a lower frequency);
* a producer outside the group within the kitchen's radius, in season, with the quality and the
  price (the units it supplies);
* a lower quality requirement: a label the offers excluded only for quality carry (highest
  EGALIM group first), else no requirement;
* the lowest price ceiling (to the cent), the latest receiving-window end and the shortest common
  max drive (to the minute; ``each_delivers``);
* rounds: the smallest van (to the kg: the heaviest delivery's load), and the latest
  receiving-window end (to the minute: a solve with an open window, then a bisection between a
  per-order lower bound and that end, each step a fifth of the time limit).

A relaxation of one stage (allocation or rounds) cannot close the other stage's shortfalls:
its ``closes_gap`` is then False. :func:`apply_relaxation` gives the inputs with a relaxation
applied.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import replace

from solver.core import EgalimGroup, Label, Van, egalim_group
from solver.evaluation import order_handling_s
from solver.pooling.allocation import Allocation, allocate
from solver.pooling.answer import Relaxation, Shortfall
from solver.pooling.eligibility import EPS, Context, candidate
from solver.pooling.inputs import PoolingInputs
from solver.pooling.transport import kitchen_start_times, rounds_problem
from solver.rounds import RoundsProblem, RoundsResult, solve_rounds

ALLOCATION_KINDS = frozenset(
    {
        "EXTRA_CAPACITY",
        "DELIVERY_WEEKDAYS",
        "NEARBY_PRODUCER",
        "QUALITY",
        "PRICE_CEILING",
        "MAX_DRIVE",
    }
)
"""Relaxations of the allocation stage (the others fix the rounds)."""
BISECTION_BUDGET_SHARE = 5.0
"""Each bisection step on the receiving-window end gets ``time_limit_s / 5`` (min 0.2 s)."""


def relaxations(
    inputs: PoolingInputs,
    ctx: Context,
    stage: Allocation,
    shortfalls: list[Shortfall],
    problem: RoundsProblem | None,
    content: dict[str, list[tuple[str, str, float]]],
    of_date: dict[dt.date, str],
    time_limit_s: float,
    seed: int,
) -> list[Relaxation]:
    """The smallest relaxation of each kind that helps (module docstring).

    ``problem`` and ``content``/``of_date`` are the rounds and delivery patterns of the check
    (``problem`` None without rounds); the rounds relaxations re-solve with ``time_limit_s``.
    """
    out: list[Relaxation] = []
    cap_short = [s for s in shortfalls if s.date is None]
    if cap_short:
        out += _allocation_relaxations(inputs, ctx, stage, cap_short)
    if problem is not None and "VAN_CAPACITY" in {s.reason_code for s in shortfalls}:
        out.append(_larger_van(inputs, problem))
    late = {
        of_date[sh.date]
        for sh in shortfalls
        if sh.date is not None and sh.reason_code == "TIME_WINDOW" and sh.date in of_date
    }
    if problem is not None and late:
        r = _relax_window(inputs, ctx, {k: content[k] for k in sorted(late)}, time_limit_s, seed)
        if r is not None:
            out.append(r)
    return _within_stage(out, shortfalls, inputs.transport.mode)


def _within_stage(
    found: list[Relaxation], shortfalls: list[Shortfall], mode: str
) -> list[Relaxation]:
    """A relaxation of one stage cannot close the other stage's shortfalls."""
    routed_short = any(s.date is not None for s in shortfalls)
    alloc_short = any(s.date is None for s in shortfalls)
    first_stage = ALLOCATION_KINDS | ({"RECEIVING_WINDOW"} if mode == "each_delivers" else set())
    return [
        r
        if not r.closes_gap or not (routed_short if r.kind in first_stage else alloc_short)
        else replace(r, closes_gap=False)
        for r in found
    ]


def _allocation_relaxations(
    inputs: PoolingInputs, ctx: Context, stage: Allocation, cap_short: list[Shortfall]
) -> list[Relaxation]:
    out = _relax_capacity(inputs, stage, cap_short)
    out += _relax_weekdays(inputs)
    out += _relax_neighbour(inputs, ctx, cap_short)
    if inputs.order.required_label is not None:
        out += _relax_quality(inputs, stage)
    out += _relax_threshold(inputs, stage, "PRICE")
    if inputs.transport.mode == "each_delivers":
        out += _relax_threshold(inputs, stage, "TIME_WINDOW")
        out += _relax_threshold(inputs, stage, "DRIVE_TIME")
    return out


def _larger_van(inputs: PoolingInputs, problem: RoundsProblem) -> Relaxation:
    """The smallest van (kg) that carries the heaviest delivery (with the other vans' room)."""
    load: dict[str, float] = defaultdict(float)
    for o in problem.orders:
        load[o.day] += o.kg
    need = math.ceil(max(load.values()) - 1e-9)
    others = 0.0
    if inputs.transport.mode == "platform":
        caps = sorted(v.capacity_kg for v in problem.vehicles)
        others = sum(caps[:-1])
    new_cap = max(1, math.ceil(need - others - 1e-9))
    return Relaxation(
        "LARGER_VAN",
        "VAN_CAPACITY",
        float(new_cap),
        "kg",
        f"a van of {new_cap} kg (largest load of a delivery {need} kg)",
        True,
        {"van_capacity_kg": new_cap},
    )


def _relax_window(
    inputs: PoolingInputs,
    ctx: Context,
    content: dict[str, list[tuple[str, str, float]]],
    time_limit_s: float,
    seed: int,
) -> Relaxation | None:
    """Latest receiving end needed, to the minute: bisection between a per-order lower bound
    (each collection alone, straight to the kitchen) and the end found with an open window."""

    def routed(end_min: int, budget_s: float) -> tuple[bool, RoundsProblem, RoundsResult]:
        pb = rounds_problem(inputs, ctx, content, recv_end_s=end_min * 60)
        res = solve_rounds(pb, time_limit_s=budget_s, seed=seed)
        return (not res.unassigned, pb, res)

    step_s = max(0.2, time_limit_s / BISECTION_BUDGET_SHARE)
    ok, pb, res = routed(24 * 60, max(step_s, time_limit_s / 2))
    if not ok:
        return None
    starts = kitchen_start_times(pb, res)
    hi = max(math.ceil(max(starts.values()) / 60), ctx.recv_start_s // 60 + 1)
    k = pb.index(ctx.kitchen.id)
    lows = []
    for o in pb.orders:
        s = pb.site(o.pickup_site_id)
        leave = s.tw_start_s + order_handling_s(o) + (s.service_s if s.kind != "depot" else 0)
        lows.append(max(leave + int(pb.matrix_seconds[pb.index(s.id), k]), ctx.recv_start_s))
    lo = max(math.ceil(max(lows) / 60), ctx.recv_end_s // 60 + 1)
    lo = min(lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if routed(mid, step_s)[0]:
            hi = mid
        else:
            lo = mid + 1
    old = ctx.recv_end_s // 60
    return Relaxation(
        "RECEIVING_WINDOW",
        "TIME_WINDOW",
        float(hi),
        "min",
        f"receive until {hi // 60:02d}:{hi % 60:02d} instead of {old // 60:02d}:{old % 60:02d}",
        True,
        {"receiving_end_min": hi},
    )


def _relax_quality(inputs: PoolingInputs, stage: Allocation) -> list[Relaxation]:
    """The highest quality requirement that fixes what dropping it would fix.

    Candidates: each label carried by an offer excluded only for quality (ranked by EGALIM group,
    then name), then no requirement at all.
    """
    sc = inputs.scenario
    offers = {o.key: o for o in sc.offers}
    labels: set[Label] = set()
    for (pid, _w), cands in stage.cands.items():
        for c in cands:
            if c.fails == frozenset({"QUALITY"}):
                labels |= set(sc.offer_labels(offers[(c.producer_id, pid)]))
    ranked: list[Label] = sorted(
        labels, key=lambda lab: (list(EgalimGroup).index(egalim_group((lab,))), lab.value)
    )
    ladder: list[Label | None] = [*ranked, None]
    base = _short_weeks(inputs)
    fixable = base - _short_weeks(inputs.with_order(required_label=None))
    if not fixable:
        return []
    old = inputs.order.required_label
    for lab in ladder:
        left = _short_weeks(inputs.with_order(required_label=lab))
        if left & fixable:
            continue
        what = f"accept {lab.value} instead of {old}" if lab is not None else f"drop {old}"
        return [
            Relaxation(
                "QUALITY",
                "QUALITY",
                float(len(base) - len(left)),
                "weeks fixed",
                f"{what}: fixes {len(base) - len(left)} of {len(base)} short week(s)",
                not left,
                {"required_label": lab},
            )
        ]
    return []


def apply_relaxation(inputs: PoolingInputs, relaxation: Relaxation) -> PoolingInputs:
    """``inputs`` with ``relaxation`` applied (what the tests and the CLI's 'what if' use)."""
    p = relaxation.params
    k = relaxation.kind
    if k == "EXTRA_CAPACITY":
        extra = dict(inputs.extra_capacity)
        for (m, pid, w), q in p["extra"].items():
            extra[(m, pid, w)] = extra.get((m, pid, w), 0.0) + q
        return replace(inputs, extra_capacity=extra)
    if k == "DELIVERY_WEEKDAYS":
        return inputs.with_order(delivery_weekdays=tuple(p["delivery_weekdays"]))
    if k == "NEARBY_PRODUCER":
        return replace(inputs, member_ids=(*inputs.member_ids, p["producer_id"]))
    if k == "QUALITY":
        return inputs.with_order(required_label=p.get("required_label"))
    if k == "PRICE_CEILING":
        return inputs.with_order(price_ceiling_eur_per_unit=p["price_ceiling_eur_per_unit"])
    if k == "RECEIVING_WINDOW":
        return inputs.with_order(receiving_end_min=p["receiving_end_min"])
    if k == "MAX_DRIVE":
        return replace(inputs, max_drive_min_floor=p["max_drive_min"])
    if k == "LARGER_VAN":
        tr = inputs.transport
        cap = float(p["van_capacity_kg"])
        if tr.mode == "member_collects":
            van = tr.van or Van(id=f"{tr.collector_id}_van", capacity_kg=cap)
            return replace(
                inputs, transport=replace(tr, van=van.model_copy(update={"capacity_kg": cap}))
            )
        pf = next(x for x in inputs.scenario.platforms if tr.platform_id in ("", x.id))
        fleet = list(pf.vans if tr.platform_vans is None else tr.platform_vans)
        big = max(range(len(fleet)), key=lambda i: fleet[i].capacity_kg)
        fleet[big] = fleet[big].model_copy(update={"capacity_kg": cap})
        return replace(inputs, transport=replace(tr, platform_vans=tuple(fleet)))
    msg = f"unknown relaxation kind {k!r}"
    raise ValueError(msg)


def _relax_capacity(
    inputs: PoolingInputs, stage: Allocation, short: list[Shortfall]
) -> list[Relaxation]:
    extra: dict[tuple[str, str, dt.date], float] = {}
    for s in short:
        cands = stage.cands[(s.product_id, s.week_start)]
        ok = [c for c in cands if c.fails <= {"OUT_OF_SEASON"}]
        if not ok:
            continue
        best = max(ok, key=lambda c: (c.capacity, c.season_capacity, c.producer_id))
        extra[(best.producer_id, s.product_id, s.week_start)] = s.short_qty
    if not extra:
        return []
    total = sum(extra.values())
    weeks = sorted({w for _, _, w in extra})
    who = sorted({m for m, _, _ in extra})
    per_week = sorted(set(extra.values()))
    amount = f"+{per_week[0]:g}" if len(per_week) == 1 else f"+{per_week[0]:g} to {per_week[-1]:g}"
    desc = (
        f"{amount} units a week in {len(weeks)} week(s) ({weeks[0].isoformat()} .. "
        f"{weeks[-1].isoformat()}), {total:g} in all, e.g. from {', '.join(who)}"
    )
    return [
        Relaxation(
            "EXTRA_CAPACITY",
            "CAPACITY",
            total,
            "units",
            f"extra weekly capacity: {desc}",
            len(extra) == len(short),
            {"extra": extra},
        )
    ]


def _short_weeks(inputs: PoolingInputs) -> set[dt.date]:
    """Weeks the allocation stage leaves short (cheap: no routing)."""
    return {s.week_start for s in allocate(inputs).shortfalls}


def _capacity_feasible(inputs: PoolingInputs) -> bool:
    return not allocate(inputs).shortfalls


def _relax_weekdays(inputs: PoolingInputs) -> list[Relaxation]:
    """Delivery weekdays leaving the fewest short weeks: same number of days first (another
    weekday), then fewer (a lower frequency); ties: fewest days changed."""
    current = tuple(sorted(set(inputs.order.delivery_weekdays)))
    n = len(current)
    base = _short_weeks(inputs)
    best: tuple[int, int, int, tuple[int, ...]] | None = None
    for size in range(n, 0, -1):
        for c in itertools.combinations(range(1, 6), size):
            if c == current:
                continue
            trial = inputs.with_order(delivery_weekdays=c)
            served = {w for w in trial.order.weeks if trial.order.delivery_dates(w)}
            left = len(_short_weeks(trial) | (base - served))
            rank = (left, n - size, len(set(c) ^ set(current)), c)
            if left < len(base) and (best is None or rank < best):
                best = rank
    if best is None:
        return []
    left, _, _, c = best
    size = len(c)
    names = ",".join(("mon", "tue", "wed", "thu", "fri")[d - 1] for d in c)
    kind = "another weekday" if size == n else f"{size} delivery(ies) a week instead of {n}"
    return [
        Relaxation(
            "DELIVERY_WEEKDAYS",
            "DELIVERY_DAY" if size == n else "CAPACITY",
            float(size),
            "deliveries/week",
            f"{kind}: deliver on {names} (fixes {len(base) - left} of {len(base)} short week(s))",
            left == 0,
            {"delivery_weekdays": list(c)},
        )
    ]


def _relax_neighbour(
    inputs: PoolingInputs, ctx: Context, short: list[Shortfall]
) -> list[Relaxation]:
    sc = inputs.scenario
    radius_s = (ctx.kitchen.radius_min or sc.settings.radius_min) * 60
    members = set(inputs.member_ids)
    products = {s.product_id for s in short}
    gap = sum(s.short_qty for s in short)
    best: tuple[float, int, str] | None = None
    for p in sc.producers:
        if p.id in members or p.id not in ctx.index:
            continue
        if not any((p.id, pid) in ctx.offers for pid in products):
            continue
        drive = ctx.drive_s(p.id, ctx.kitchen.id)
        if drive < 0 or drive > radius_s:
            continue
        covered = 0.0
        for s in short:
            c = candidate(ctx, p, s.product_id, s.week_start)
            if c is not None and not c.fails:
                covered += min(c.capacity, s.short_qty)
        if covered <= EPS:
            continue
        rank = (-covered, drive, p.id)
        if best is None or rank < best:
            best = rank
    if best is None:
        return []
    covered, drive_s, pid = -best[0], best[1], best[2]
    closes = _capacity_feasible(replace(inputs, member_ids=(*inputs.member_ids, pid)))
    return [
        Relaxation(
            "NEARBY_PRODUCER",
            "CAPACITY",
            round(covered, 6),
            "units",
            f"add {pid} ({sc.producer(pid).name}, {drive_s / 60:.0f} min from the kitchen): "
            f"supplies {covered:g} of the {gap:g} units missing",
            closes,
            {"producer_id": pid, "drive_min": round(drive_s / 60, 1)},
        )
    ]


def _threshold_values(inputs: PoolingInputs, stage: Allocation, f: str) -> list[float]:
    """Each excluded member's own value for rule ``f`` (kitchen price to the cent, needed
    receiving end or drive to the minute), ascending."""
    values: set[float] = set()
    sc = inputs.scenario
    for cands in stage.cands.values():
        for c in cands:
            if f not in c.fails:
                continue
            if f == "PRICE":
                values.add(math.ceil(c.kitchen_price * 100 - 1e-6) / 100)
            elif f == "TIME_WINDOW":
                p = sc.producer(c.producer_id)
                values.add(float(math.ceil((p.pickup_start_min * 60 + c.drive_s) / 60)))
            elif f == "DRIVE_TIME":
                values.add(float(math.ceil(c.drive_s / 60)))
    if f == "TIME_WINDOW":
        values = {v for v in values if v <= 24 * 60}
    return sorted(values)


def _with_threshold(inputs: PoolingInputs, f: str, v: float) -> PoolingInputs:
    if f == "PRICE":
        return inputs.with_order(price_ceiling_eur_per_unit=v)
    if f == "TIME_WINDOW":
        return inputs.with_order(receiving_end_min=int(v))
    return replace(inputs, max_drive_min_floor=v)


def _threshold_relaxation(
    inputs: PoolingInputs, f: str, v: float, closes: bool, fixes: str
) -> Relaxation:
    if f == "PRICE":
        old = inputs.order.price_ceiling_eur_per_unit or 0.0
        return Relaxation(
            "PRICE_CEILING",
            "PRICE",
            v,
            "EUR/unit",
            f"raise the price ceiling from {old:.2f} to {v:.2f} EUR/unit" + fixes,
            closes,
            {"price_ceiling_eur_per_unit": v},
        )
    if f == "TIME_WINDOW":
        m = int(v)
        return Relaxation(
            "RECEIVING_WINDOW",
            "TIME_WINDOW",
            v,
            "min",
            f"receive until {m // 60:02d}:{m % 60:02d}" + fixes,
            closes,
            {"receiving_end_min": m},
        )
    return Relaxation(
        "MAX_DRIVE",
        "DRIVE_TIME",
        v,
        "min",
        f"members accept up to {v:g} min of drive to the kitchen" + fixes,
        closes,
        {"max_drive_min": v},
    )


def _relax_threshold(inputs: PoolingInputs, stage: Allocation, f: str) -> list[Relaxation]:
    """Smallest threshold (price, window end, drive) that fixes every short week it can fix.

    The weeks it can fix are those the largest useful threshold fixes; admitting members never
    creates a shortfall, so the smallest threshold fixing them all is found by a scan of the
    members' own values (each member's price, needed window end or drive, rounded up to the
    cent or the minute).
    """
    ordered = _threshold_values(inputs, stage, f)
    if not ordered:
        return []
    base = _short_weeks(inputs)
    fixable = base - _short_weeks(_with_threshold(inputs, f, ordered[-1]))
    if not fixable:
        return []
    v = next(x for x in ordered if not (_short_weeks(_with_threshold(inputs, f, x)) & fixable))
    closes = not _short_weeks(_with_threshold(inputs, f, v))
    fixes = f" (fixes {len(fixable)} of {len(base)} short week(s))"
    return [_threshold_relaxation(inputs, f, v, closes, fixes)]
