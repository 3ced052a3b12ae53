"""Pooling check on tiny hand-made territories with hand-computed answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from solver.core import (
    Canteen,
    Family,
    Label,
    Offer,
    Platform,
    Producer,
    Product,
    Scenario,
    ScenarioError,
    Van,
    Weekday,
)
from solver.evaluation import check_pooling
from solver.pooling import (
    OrderLine,
    PoolingInputs,
    PoolingOrder,
    Transport,
    Travel,
    apply_relaxation,
    check_pooling_order,
    load_order,
    resolve_group,
    share,
)

# Kitchen K at the origin of a km grid; farms A (10 km E), B (20 km N), C (15 km W, outside
# the group), platform depot G (30 km S). 54 km/h = 15 m/s, so A is 667 s away, B 1333 s.
XY_KM = {"K": (0.0, 0.0), "A": (10.0, 0.0), "B": (0.0, 20.0), "C": (-15.0, 0.0), "G": (0.0, -30.0)}
OCT = [dt.date(2025, 10, 6), dt.date(2025, 10, 13)]
TL = 0.5


def travel() -> Travel:
    """Euclidean metres and seconds at 15 m/s between the grid points."""
    ids = tuple(XY_KM)
    xy = np.array([XY_KM[i] for i in ids]) * 1000.0
    metres = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    return Travel(ids, np.ceil(metres / 15.0).astype(np.int64), metres.astype(np.int64))


def _ll(pid: str) -> dict[str, float]:
    x, y = XY_KM[pid]
    return {"lat": 44.0 + y / 111.0, "lon": 5.0 + x / 80.0}


def producer(pid: str, **kw: object) -> Producer:
    """A producer at its grid point, delivering Tue/Thu, 60 min max drive, open 07:00-18:00."""
    args: dict[str, object] = {
        "id": pid,
        "name": f"farm {pid}",
        "labels": (Label.BIO,),
        "delivery_weekdays": (Weekday.TUE, Weekday.THU),
        "max_drive_min": 60.0,
        **_ll(pid),
    }
    args.update(kw)
    return Producer(**args)  # type: ignore[arg-type]


def scenario(
    *, b_labels: tuple[Label, ...] = (Label.BIO,), b_kw: dict[str, object] | None = None
) -> Scenario:
    """A: 10 carrots/week at 2.00; B: 30/week at 2.80 (10 in November); C: 25/week at 2.20."""
    return Scenario(
        products=(Product(id="carotte", name="Carotte", family=Family.FRUITS_ET_LEGUMES),),
        producers=(
            producer("A"),
            producer("B", labels=b_labels, **(b_kw or {})),
            producer("C"),
        ),
        offers=(
            Offer(
                producer_id="A", product_id="carotte", price_eur_per_unit=2.0, weekly_capacity=10
            ),
            Offer(
                producer_id="B",
                product_id="carotte",
                price_eur_per_unit=2.8,
                weekly_capacity=30,
                months=(1, 2, 3, 9, 10, 11, 12),
                capacity_by_month=((11, 10.0),),
            ),
            Offer(
                producer_id="C", product_id="carotte", price_eur_per_unit=2.2, weekly_capacity=25
            ),
        ),
        canteens=(Canteen(id="K", name="kitchen", **_ll("K")),),
        platforms=(
            Platform(
                id="G",
                name="platform",
                round_weekdays=(Weekday.TUE,),
                vans=(Van(id="pv", capacity_kg=1000),),
                **_ll("G"),
            ),
        ),
    )


def inputs(
    qty: float = 30.0,
    *,
    weeks: list[dt.date] | None = None,
    sc: Scenario | None = None,
    transport: Transport | None = None,
    rule: str = "proportional",
    **order_kw: object,
) -> PoolingInputs:
    """Group {A, B} answers ``qty`` carrots every Tuesday of ``weeks`` (default: OCT)."""
    order = PoolingOrder(
        kitchen_id="K",
        lines=(OrderLine("carotte", qty),),
        weeks=tuple(weeks or OCT),
        delivery_weekdays=(2,),
        **order_kw,  # type: ignore[arg-type]
    )
    return PoolingInputs(
        scenario=sc or scenario(),
        member_ids=("A", "B"),
        order=order,
        travel=travel(),
        transport=transport or Transport(),
        rule=rule,  # type: ignore[arg-type]
    )


def qty_of(answer, producer_id: str, week: dt.date) -> float:
    """Units a member supplies in a week."""
    return sum(
        r.qty for r in answer.allocation if r.producer_id == producer_id and r.week_start == week
    )


def feasible(inp: PoolingInputs) -> bool:
    """Full check (allocation + transport) says feasible."""
    return check_pooling_order(inp, time_limit_s=TL, relax=False).feasible


def relaxation(answer, kind: str):
    """The answer's relaxation of that kind."""
    return next(r for r in answer.relaxations if r.kind == kind)


# --------------------------------------------------------------------------- feasible
def test_feasible_order_proportional_split() -> None:
    """30 units against capacities 10 and 30 split 7.5 / 22.5 every week, checker agrees."""
    a = check_pooling_order(inputs(), time_limit_s=TL)
    assert a.feasible and a.binding_reason == "" and not a.shortfalls
    assert [w.feasible for w in a.weeks] == [True, True]
    for w in OCT:
        assert qty_of(a, "A", w) == pytest.approx(7.5)
        assert qty_of(a, "B", w) == pytest.approx(22.5)
    assert a.revenue_eur_by_member == {"A": pytest.approx(30.0), "B": pytest.approx(126.0)}
    # kitchen pays (15 x 2.00 + 45 x 2.80) / 60 = 2.60 EUR/kg
    assert a.kitchen_eur_per_kg_by_product["carotte"] == pytest.approx(2.6)
    assert a.check is not None and a.check.ok, a.check


def test_sharing_rules_balanced_and_fewest() -> None:
    """Balanced gives 10 / 20 (A capped), fewest members gives B alone 30."""
    bal = check_pooling_order(inputs(rule="balanced"), time_limit_s=TL)
    assert qty_of(bal, "A", OCT[0]) == pytest.approx(10) and qty_of(
        bal, "B", OCT[0]
    ) == pytest.approx(20)
    few = check_pooling_order(inputs(rule="fewest_members"), time_limit_s=TL)
    assert qty_of(few, "A", OCT[0]) == 0 and qty_of(few, "B", OCT[0]) == pytest.approx(30)
    assert bal.check.ok and few.check.ok


def test_share_water_filling_and_fewest_are_exact() -> None:
    """Water-filling levels equal shares under caps; fewest picks the k largest capacities."""
    caps = {"a": 5.0, "b": 20.0, "c": 20.0}
    assert share("balanced", 30, caps, {}) == pytest.approx({"a": 5.0, "b": 12.5, "c": 12.5})
    assert share("fewest_members", 30, caps, {}) == pytest.approx({"b": 15.0, "c": 15.0})
    assert sum(share("proportional", 30, caps, {}).values()) == pytest.approx(30)


def test_each_delivers_trips_times_and_cost() -> None:
    """Each member drives: A leaves when it opens (07:00), arrives 667 s later, 20 km round trip."""
    a = check_pooling_order(inputs(), time_limit_s=TL)
    trip = next(t for t in a.trips if t.producer_id == "A" and t.date == dt.date(2025, 10, 7))
    assert trip.drive_s == 667 and trip.depart_s == 7 * 3600 and trip.arrival_s == 7 * 3600 + 667
    assert trip.distance_m == 20000
    # 20 km x 0.35 + 1334 s x 25 EUR/h
    assert trip.cost_eur == pytest.approx(20 * 0.35 + 1334 / 3600 * 25, abs=1e-3)


# --------------------------------------------------------------------------- short weeks
NOV_WEEKS = [
    dt.date(2025, 10, 27),
    dt.date(2025, 11, 3),
    dt.date(2025, 11, 10),
    dt.date(2025, 12, 1),
]


def test_short_in_exactly_known_weeks_by_known_kg() -> None:
    """B drops to 10 in November: weeks of 3 and 10 Nov are short by exactly 10 kg (CAPACITY)."""
    a = check_pooling_order(inputs(weeks=NOV_WEEKS), time_limit_s=TL)
    assert not a.feasible and a.binding_reason == "CAPACITY"
    assert [w.week_start for w in a.weeks if not w.feasible] == NOV_WEEKS[1:3]
    assert {(s.week_start, s.short_kg, s.reason_code) for s in a.shortfalls} == {
        (NOV_WEEKS[1], 10.0, "CAPACITY"),
        (NOV_WEEKS[2], 10.0, "CAPACITY"),
    }
    assert a.check.ok, a.check


def test_extra_capacity_relaxation_is_exact() -> None:
    """+10 in each short week makes it feasible; 1 kg less in either week does not."""
    inp = inputs(weeks=NOV_WEEKS)
    a = check_pooling_order(inp, time_limit_s=TL)
    r = relaxation(a, "EXTRA_CAPACITY")
    assert r.value == pytest.approx(20) and r.closes_gap
    fixed = apply_relaxation(inp, r)
    assert feasible(fixed)
    for key in r.params["extra"]:
        less = dict(fixed.extra_capacity)
        less[key] -= 1.0
        assert not feasible(dataclasses.replace(fixed, extra_capacity=less))


def test_frequency_and_neighbour_relaxations() -> None:
    """Tue+Thu (60 a week vs 40): one delivery a week works; C (outside, 25/week) closes the gap."""
    inp = inputs().with_order(delivery_weekdays=(2, 4))
    a = check_pooling_order(inp, time_limit_s=TL)
    assert [s.short_kg for s in a.shortfalls] == [20.0, 20.0]
    r = relaxation(a, "DELIVERY_WEEKDAYS")
    assert r.value == 1 and feasible(apply_relaxation(inp, r))
    n = relaxation(a, "NEARBY_PRODUCER")
    assert n.params["producer_id"] == "C"
    # C covers min(25, 20) in each of the two weeks
    assert n.value == pytest.approx(40) and n.closes_gap
    assert feasible(apply_relaxation(inp, n))


def test_out_of_season() -> None:
    """In April only A has carrots (B's season ends in March): short 20 for OUT_OF_SEASON."""
    a = check_pooling_order(inputs(weeks=[dt.date(2026, 4, 6)]), time_limit_s=TL)
    (s,) = a.shortfalls
    assert s.reason_code == "OUT_OF_SEASON" and s.short_kg == pytest.approx(20)
    assert a.check.ok


# --------------------------------------------------------------------------- single causes
def test_infeasible_only_because_of_quality() -> None:
    """B is not organic: with BIO required the group is short by 20 kg a week, reason QUALITY."""
    sc = scenario(b_labels=())
    a = check_pooling_order(inputs(sc=sc, required_label=Label.BIO), time_limit_s=TL)
    assert not a.feasible and a.binding_reason == "QUALITY"
    assert [s.short_kg for s in a.shortfalls] == [20.0, 20.0]
    r = relaxation(a, "QUALITY")
    assert r.closes_gap and feasible(apply_relaxation(inputs(sc=sc, required_label=Label.BIO), r))
    assert feasible(inputs(sc=sc))  # the same order without the requirement


def test_quality_relaxation_steps_down_to_a_held_label() -> None:
    """B holds HVE, not BIO: the lower requirement proposed is HVE (not none), and it works."""
    inp = inputs(sc=scenario(b_labels=(Label.HVE,)), required_label=Label.BIO)
    a = check_pooling_order(inp, time_limit_s=TL)
    r = relaxation(a, "QUALITY")
    assert r.params["required_label"] is Label.HVE and r.closes_gap
    assert "accept HVE instead of BIO" in r.description
    assert feasible(apply_relaxation(inp, r))


def test_infeasible_only_because_of_price() -> None:
    """Ceiling 2.50 excludes B (2.80): PRICE, the smallest ceiling is 2.80; 2.79 stays short."""
    inp = inputs(price_ceiling_eur_per_unit=2.5)
    a = check_pooling_order(inp, time_limit_s=TL)
    assert a.binding_reason == "PRICE" and a.shortfalls[0].short_kg == pytest.approx(20)
    r = relaxation(a, "PRICE_CEILING")
    assert r.value == pytest.approx(2.8)
    assert feasible(apply_relaxation(inp, r))
    assert not feasible(inp.with_order(price_ceiling_eur_per_unit=2.79))


def test_infeasible_only_because_of_receiving_window() -> None:
    """B opens at 09:45 and drives 1333 s: reaches the kitchen 10:07:13 > 10:00 -> end 10:08."""
    sc = scenario(b_kw={"pickup_start_min": 9 * 60 + 45})
    inp = inputs(sc=sc)
    a = check_pooling_order(inp, time_limit_s=TL)
    assert a.binding_reason == "TIME_WINDOW"
    assert [s.short_kg for s in a.shortfalls] == [20.0, 20.0]
    r = relaxation(a, "RECEIVING_WINDOW")
    assert r.value == math.ceil((9 * 3600 + 45 * 60 + 1333) / 60) == 608
    assert feasible(apply_relaxation(inp, r))
    assert not feasible(inp.with_order(receiving_end_min=607))


def test_drive_time_relaxation_to_the_minute() -> None:
    """B accepts 15 min of drive, needs 1333 s: DRIVE_TIME, members must accept 23 min; 22 fails."""
    sc = scenario(b_kw={"max_drive_min": 15.0})
    inp = inputs(sc=sc)
    a = check_pooling_order(inp, time_limit_s=TL)
    assert a.binding_reason == "DRIVE_TIME"
    r = relaxation(a, "MAX_DRIVE")
    assert r.value == 23
    assert feasible(apply_relaxation(inp, r))
    assert not feasible(dataclasses.replace(inp, max_drive_min_floor=22))


def test_infeasible_only_because_of_van_capacity() -> None:
    """A collects B with a 25 kg van: 30 kg a delivery is 5 kg too many; 30 kg works, 29 not."""
    tr = Transport(mode="member_collects", collector_id="A", van=Van(id="v", capacity_kg=25))
    inp = inputs(transport=tr)
    a = check_pooling_order(inp, time_limit_s=TL)
    assert not a.feasible and a.binding_reason == "VAN_CAPACITY"
    assert [s.short_kg for s in a.shortfalls] == [5.0, 5.0]
    r = relaxation(a, "LARGER_VAN")
    assert r.value == 30
    assert feasible(apply_relaxation(inp, r))
    small = dataclasses.replace(tr, van=Van(id="v", capacity_kg=29))
    assert not feasible(dataclasses.replace(inp, transport=small))
    assert a.check.ok, a.check


def test_member_collects_routes_and_check() -> None:
    """A collects B then delivers: one route per pattern, km from the matrix, checker ok."""
    tr = Transport(mode="member_collects", collector_id="A", van=Van(id="v", capacity_kg=100))
    a = check_pooling_order(inputs(transport=tr), time_limit_s=TL)
    assert a.feasible and a.rounds_result is not None
    (route,) = a.rounds_result.routes  # both October weeks share one pattern
    # A -> B -> K -> A: 22.361 + 20 + 10 km
    assert route.distance_m == pytest.approx(22361 + 20000 + 10000, abs=2)
    assert a.logistics_eur_per_kg > 0 and a.check.ok


def test_member_collects_receiving_window() -> None:
    """Collected round reaches the kitchen too late: TIME_WINDOW; the proposed end works."""
    tr = Transport(mode="member_collects", collector_id="A", van=Van(id="v", capacity_kg=100))
    sc = scenario(b_kw={"pickup_start_min": 9 * 60 + 45})  # + 345 s at B + 1333 s > 10:00
    inp = inputs(sc=sc, transport=tr)
    a = check_pooling_order(inp, time_limit_s=TL)
    assert a.binding_reason == "TIME_WINDOW"
    r = relaxation(a, "RECEIVING_WINDOW")
    assert feasible(apply_relaxation(inp, r))
    assert not feasible(inp.with_order(receiving_end_min=int(r.value) - 1))


def test_platform_round_day() -> None:
    """The platform runs on Tuesday only: a Thursday order is DELIVERY_DAY, Tuesday is proposed."""
    inp = inputs(transport=Transport(mode="platform")).with_order(delivery_weekdays=(4,))
    a = check_pooling_order(inp, time_limit_s=TL)
    assert a.binding_reason == "DELIVERY_DAY"
    r = relaxation(a, "DELIVERY_WEEKDAYS")
    assert r.params["delivery_weekdays"] == [2]
    ok = check_pooling_order(apply_relaxation(inp, r), time_limit_s=TL)
    assert ok.feasible and ok.check.ok
    # the kitchen pays the platform's 20 % margin on top
    assert ok.kitchen_eur_per_kg_by_product["carotte"] == pytest.approx(2.6 * 1.2)


# --------------------------------------------------------------------------- checker
def test_checker_catches_injected_errors() -> None:
    """Over-capacity rows, a wrong verdict and a missing trip are all reported."""
    inp = inputs()
    a = check_pooling_order(inp, time_limit_s=TL)
    rows = list(a.allocation)
    rows[0] = dataclasses.replace(rows[0], qty=rows[0].qty + 5)
    bad = dataclasses.replace(a, allocation=tuple(rows), trips=a.trips[1:], feasible=False)
    codes = check_pooling(inp, bad).codes()
    assert {"OVER_CAPACITY", "ALLOCATION_SUM", "VERDICT", "TRIP"} <= codes


def test_checker_catches_wrong_reason_and_route_load() -> None:
    """A shortfall blamed on QUALITY when no member lacks the label, and a routed load that
    differs from the allocation, are reported."""
    short = check_pooling_order(inputs(weeks=NOV_WEEKS), time_limit_s=TL)
    wrong = dataclasses.replace(
        short,
        shortfalls=tuple(dataclasses.replace(s, reason_code="QUALITY") for s in short.shortfalls),
    )
    assert "REASON" in check_pooling(inputs(weeks=NOV_WEEKS), wrong).codes()
    tr = Transport(mode="member_collects", collector_id="A", van=Van(id="v", capacity_kg=100))
    inp = inputs(transport=tr)
    a = check_pooling_order(inp, time_limit_s=TL)
    rows = [
        dataclasses.replace(r, qty=r.qty - 1) if r.producer_id == "B" else r for r in a.allocation
    ]
    rows += [dataclasses.replace(r, qty=1.0) for r in a.allocation if r.producer_id == "A"]
    codes = check_pooling(inp, dataclasses.replace(a, allocation=tuple(rows))).codes()
    assert "ROUTE_LOAD" in codes


# --------------------------------------------------------------------------- files
def test_order_file_errors_name_field_and_value(tmp_path: Path) -> None:
    """A bad weekday and an unknown product are reported with their field and value."""
    sc = scenario()
    p = tmp_path / "order.toml"
    p.write_text(
        'kitchen = "K"\ndelivery_weekdays = ["tue"]\nweeks = ["2025-10-06"]\n'
        '[[products]]\nproduct = "navet"\nqty_per_delivery = 5\n'
    )
    with pytest.raises(ScenarioError) as exc:
        load_order(p, sc)
    (pb,) = exc.value.problems
    assert (pb.file, pb.column, pb.value) == ("order.toml", "products[0].product", "navet")
    p.write_text('kitchen = "K"\ndelivery_weekdays = ["tuesdai", "xx"]\n')
    with pytest.raises(ScenarioError) as exc:
        load_order(p, sc)
    assert exc.value.problems[0].column == "delivery_weekdays"


@pytest.mark.parametrize("bad", ["inf", "nan", "1e999"])
def test_order_file_refuses_non_finite_numbers(tmp_path: Path, bad: str) -> None:
    """A quantity or van capacity of inf/nan is a located problem, not a crash or an endless van."""
    sc = scenario()
    p = tmp_path / "order.toml"
    p.write_text(
        'kitchen = "K"\ndelivery_weekdays = ["tue"]\nweeks = ["2025-10-06"]\n'
        f'[transport]\nmode = "member_collects"\ncollector = "A"\nvan_capacity_kg = "{bad}"\n'
        '[[products]]\nproduct = "carotte"\nqty_per_delivery = 5\n'
    )
    with pytest.raises(ScenarioError) as exc:
        load_order(p, sc)
    (pb,) = exc.value.problems
    assert (pb.file, pb.column, pb.value) == ("order.toml", "van_capacity_kg", bad)
    assert "finite" in pb.message


def test_order_file_school_year_and_group(tmp_path: Path) -> None:
    """A school-year order skips holidays; a group CSV lists members, unknown ids are errors."""
    sc = scenario()
    p = tmp_path / "order.toml"
    p.write_text(
        'kitchen = "K"\ndelivery_weekdays = ["tue"]\nschool_year = "2025-2026"\n'
        'quality = "BIO"\nprice_ceiling_eur_per_unit = 3\nrule = "balanced"\n'
        '[transport]\nmode = "member_collects"\ncollector = "A"\nvan_capacity_kg = 80\n'
        '[[products]]\nproduct = "carotte"\nqty_per_delivery = 12.5\n'
    )
    order, tr, rule = load_order(p, sc)
    assert rule == "balanced" and tr.van is not None and tr.van.capacity_kg == 80
    assert order.required_label is Label.BIO and order.price_ceiling_eur_per_unit == 3
    # zone B 2025-26: Tuesday 11 Nov (Armistice) and the Tuesdays of the holidays are skipped
    assert dt.date(2025, 11, 11) in order.skip_dates
    assert order.delivery_dates(dt.date(2025, 11, 10)) == []
    g = tmp_path / "group.csv"
    g.write_text("producer_id,name\nA,x\nB,y\n")
    assert resolve_group(str(g), sc) == ("A", "B")
    g.write_text("producer_id\nA\nZZ\n")
    with pytest.raises(ScenarioError) as exc:
        resolve_group(str(g), sc)
    assert (exc.value.problems[0].row, exc.value.problems[0].value) == (3, "ZZ")
    assert resolve_group("A, C", sc) == ("A", "C")


def test_min_lot_member_steps_out() -> None:
    """A's lot is 8: at 31 units its share 7.75 is below it, A steps out, B alone is 1 short."""
    base = scenario()
    offers = tuple(
        o.model_copy(update={"min_lot": 8.0}) if o.producer_id == "A" else o for o in base.offers
    )
    sc = base.model_copy(update={"offers": offers})
    ok = check_pooling_order(inputs(30.0, sc=sc), time_limit_s=TL)
    assert ok.feasible and qty_of(ok, "A", OCT[0]) == 0 and qty_of(ok, "B", OCT[0]) == 30
    a = check_pooling_order(inputs(31.0, sc=sc), time_limit_s=TL)
    assert [(s.short_kg, s.reason_code) for s in a.shortfalls] == [(1.0, "CAPACITY")] * 2
    assert "minimum lot" in a.shortfalls[0].detail and a.check.ok, a.check
    assert qty_of(check_pooling_order(inputs(32.0, sc=sc), time_limit_s=TL), "A", OCT[0]) == 8


def test_two_causes_need_two_changes() -> None:
    """BIO excludes B and the 5 kg van cannot carry A's 10 kg: neither change alone suffices."""
    tr = Transport(mode="member_collects", collector_id="A", van=Van(id="v", capacity_kg=5))
    inp = inputs(sc=scenario(b_labels=()), transport=tr, required_label=Label.BIO)
    a = check_pooling_order(inp, time_limit_s=TL)
    assert {s.reason_code for s in a.shortfalls} == {"QUALITY", "VAN_CAPACITY"}
    quality, van = relaxation(a, "QUALITY"), relaxation(a, "LARGER_VAN")
    assert van.value == 10 and not quality.closes_gap and not van.closes_gap
    assert not feasible(apply_relaxation(inp, quality))
    assert not feasible(apply_relaxation(inp, van))
    # with BIO dropped the load is 30 kg: the next answer asks for a 30 kg van, which works
    step = apply_relaxation(inp, quality)
    bigger = relaxation(check_pooling_order(step, time_limit_s=TL), "LARGER_VAN")
    assert bigger.value == 30 and feasible(apply_relaxation(step, bigger))


def test_two_products_share_the_van() -> None:
    """30 carrots + 10 squash (A only) make 40 kg a delivery: a 35 kg van is 5 kg short."""
    base = scenario()
    squash = Product(id="courge", name="Courge", family=Family.FRUITS_ET_LEGUMES)
    sc = Scenario(
        products=(*base.products, squash),
        producers=base.producers,
        offers=(
            *base.offers,
            Offer(producer_id="A", product_id="courge", price_eur_per_unit=3.0, weekly_capacity=20),
        ),
        canteens=base.canteens,
        platforms=base.platforms,
    )
    tr = Transport(mode="member_collects", collector_id="A", van=Van(id="v", capacity_kg=35))
    inp = inputs(sc=sc, transport=tr)
    inp = inp.with_order(lines=(OrderLine("carotte", 30.0), OrderLine("courge", 10.0)))
    a = check_pooling_order(inp, time_limit_s=TL)
    assert qty_of(a, "A", OCT[0]) == pytest.approx(7.5 + 10)
    assert [(s.reason_code, s.short_kg) for s in a.shortfalls] == [("VAN_CAPACITY", 5.0)] * 2
    r = relaxation(a, "LARGER_VAN")
    assert r.value == 40 and feasible(apply_relaxation(inp, r))
    assert a.revenue_eur_by_member["A"] == pytest.approx(2 * (7.5 * 2.0 + 10 * 3.0))
    assert a.check.ok, a.check
