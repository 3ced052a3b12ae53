"""The weekly cycle and re-planning on tiny hand-checkable instances: fixed orders,
availability lists, the ordering effort, regularity and re-planning after a shortfall."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from matching_fixtures import canteen, instance, offer, producer, product, week

from solver.core import (
    Availability,
    FixedOrder,
    RegularityScope,
    ScenarioError,
    Shortfall,
    SolveParams,
    Weekday,
    order_deadline,
)
from solver.evaluation import check_plan, check_replan, check_week, plan_changes, regularity_table
from solver.scenario import apply_availability, load_shortfalls
from solver.sourcing import (
    FixedLine,
    Ordering,
    Revision,
    SourcingOptions,
    build_match_data,
    solve_sourcing,
)

PARAMS = SolveParams(time_limit_s=10, seed=0)


def _solve(inst, **options):  # type: ignore[no-untyped-def]
    return solve_sourcing(
        inst.scenario,
        inst.demand,
        inst.meals,
        inst.eligibility,
        params=PARAMS,
        options=SourcingOptions(**options),
    )


def _checked(inst, plan) -> bool:  # type: ignore[no-untyped-def]
    return check_plan(inst.scenario, inst.demand, inst.meals, inst.eligibility, plan).ok


# --------------------------------------------------------------------------- ordering effort


def _three_suppliers():  # type: ignore[no-untyped-def]
    """One kitchen needing 100 kg of a, b and c; each producer is cheapest for one product
    and second (at slightly different prices, so that no two sets of suppliers tie) for
    another; the wholesaler sells everything at 3 EUR."""
    return instance(
        products=[product("a"), product("b"), product("c")],
        producers=[producer("P1"), producer("P2"), producer("P3")],
        offers=[
            offer("P1", "a", 1.0),
            offer("P1", "b", 2.05),
            offer("P2", "b", 1.0),
            offer("P2", "c", 2.0),
            offer("P3", "c", 1.0),
            offer("P3", "a", 2.1),
        ],
        canteens=[canteen("k")],
        demand={("k", 0, p): 100.0 for p in "abc"},
        ref_prices={"a": 3.0, "b": 3.0, "c": 3.0},
    )


def _brute_force_suppliers(inst, per_supplier_eur: float) -> tuple[float, frozenset[str]]:  # type: ignore[no-untyped-def]
    """Cheapest (objective, suppliers) over every set of suppliers, each product bought
    from the cheapest supplier of the set: a producer's drop costs its round trip, the
    0.5 EUR delivery and 0.5 EUR new-supplier tie-breaks and the ordering effort; the
    wholesaler costs its 0.5 EUR delivery and the ordering effort."""
    data = build_match_data(inst.scenario, inst.demand, inst.meals, inst.eligibility)
    drop = {data.producers[p]: float(c) for p, c in zip(data.pk_p, data.pk_cost, strict=True)}
    price = {(o.producer_id, o.product_id): o.price_eur_per_unit for o in inst.scenario.offers}
    best = (float("inf"), frozenset[str]())
    for n in range(1, 5):
        for chosen in itertools.combinations(["P1", "P2", "P3", "ref"], n):
            cost, used = 0.0, set()
            for p in "abc":
                offers = [(price[(s, p)], s) for s in chosen if (s, p) in price]
                if "ref" in chosen:
                    offers.append((3.0, "ref"))
                if not offers:
                    break
                unit, s = min(offers)
                cost += 100.0 * unit
                used.add(s)
            else:
                if used != set(chosen):
                    continue  # a supplier of the set sells nothing: a smaller set says it
                cost += sum((0.5 if s == "ref" else drop[s] + 1.0) + per_supplier_eur for s in used)
                best = min(best, (cost, frozenset(used)), key=lambda x: x[0])
    return best


@pytest.mark.parametrize("per_supplier_eur", [0.0, 150.0])
def test_ordering_effort_is_optimal_against_brute_force(per_supplier_eur: float) -> None:
    """With or without the cost per supplier, the plan's objective and suppliers are the
    brute-force optimum over every set of suppliers."""
    inst = _three_suppliers()
    res = _solve(inst, ordering=Ordering(per_supplier_eur=per_supplier_eur))
    cost, suppliers = _brute_force_suppliers(inst, per_supplier_eur)
    assert res.status == "OPTIMAL"
    assert res.objective_eur == pytest.approx(cost, abs=1e-6)
    assert {ln.supplier_id for ln in res.plan.lines} == suppliers
    assert _checked(inst, res.plan)


def test_ordering_effort_reduces_suppliers() -> None:
    """Three suppliers (one per product) without the ordering cost, two with 150 EUR a
    supplier."""
    inst = _three_suppliers()
    free = _solve(inst)
    costly = _solve(inst, ordering=Ordering(per_supplier_eur=150.0))
    assert len({ln.supplier_id for ln in free.plan.lines}) == 3
    assert len({ln.supplier_id for ln in costly.plan.lines}) == 2


# --------------------------------------------------------------------------- fixed orders


def _two_products():  # type: ignore[no-untyped-def]
    """Carrots and leeks, 100 kg a week each for 4 weeks: P1 sells cheap carrots, P2 cheap
    leeks (and dear carrots), P3 both a little dearer. A drop costs 15.75 EUR (round trip
    and tie-breaks), so P1 + P2 (231.5 EUR a week) beat P3 alone (235.75 EUR), which
    beats P1 + P3 (241.5 EUR) once P2 is gone."""
    return instance(
        products=[product("carrot"), product("leek")],
        producers=[producer("P1"), producer("P2"), producer("P3")],
        offers=[
            offer("P1", "carrot", 1.0),
            offer("P2", "leek", 1.0),
            offer("P2", "carrot", 1.5),
            offer("P3", "leek", 1.1),
            offer("P3", "carrot", 1.1),
        ],
        canteens=[canteen("k")],
        demand={(k, w, p): 100.0 for k in ("k",) for w in range(4) for p in ("carrot", "leek")},
        ref_prices={"carrot": 3.0, "leek": 3.0},
    )


def test_fixed_orders_are_kept_and_the_rest_planned() -> None:
    """30 kg of carrots already ordered from P2 (at 1.50 EUR) stay; the 70 kg left come
    from P1, the leeks from P2."""
    inst = _two_products()
    fixed = (FixedLine("k", "P2", "carrot", week(0), 30.0),)
    res = _solve(inst, fixed=fixed)
    first = {
        (ln.supplier_id, ln.product_id): ln.quantity
        for ln in res.plan.lines
        if ln.week_start == week(0)
    }
    assert first == pytest.approx(
        {("P2", "carrot"): 30.0, ("P1", "carrot"): 70.0, ("P2", "leek"): 100.0}
    )
    assert _checked(inst, res.plan)
    order = FixedOrder(kitchen_id="k", producer_id="P2", product_id="carrot", kg=30.0)
    assert check_week(inst.scenario, res.plan, week(0), fixed=[order]).ok
    moved = FixedOrder(kitchen_id="k", producer_id="P2", product_id="carrot", kg=40.0)
    report = check_week(inst.scenario, res.plan, week(0), fixed=[moved])
    assert report.codes() == {"fixed_order_changed"}


def test_fixed_order_over_the_need_is_a_located_problem() -> None:
    """An order above the week's need cannot be kept: the problem names file, row, kg."""
    inst = _two_products()
    fixed = (FixedLine("k", "P3", "carrot", week(0), 130.0, source=("fixed.csv", 3)),)
    with pytest.raises(ScenarioError) as err:
        _solve(inst, fixed=fixed)
    (p,) = err.value.problems
    assert (p.file, p.row, p.column) == ("fixed.csv", 3, "kg")
    assert "needs" in p.message


# --------------------------------------------------------------------------- availability


def test_availability_overrides_the_offer_for_its_week() -> None:
    """P1 lists 40 kg of carrots this week at 0.30 EUR (a glut; nothing else): the plan
    buys those 40 kg at that price, worth a second drop, and the rest from P3, which
    lists nothing and keeps its offers."""
    inst = _two_products()
    rows = [
        Availability(
            producer_id="P1", product_id="carrot", week=week(0), kg_available=40.0,
            price_eur_per_unit=0.3,
        )
    ]  # fmt: skip
    sc = apply_availability(inst.scenario, rows, week(0))
    one_week = inst.demand[inst.demand["week_start"] == week(0)]
    res = solve_sourcing(sc, one_week, inst.meals.iloc[:1], inst.eligibility, params=PARAMS)
    bought = {(ln.supplier_id, ln.product_id): ln for ln in res.plan.lines}
    assert bought[("P1", "carrot")].quantity == pytest.approx(40.0)
    assert bought[("P1", "carrot")].unit_price_eur == pytest.approx(0.3)
    assert bought[("P3", "carrot")].quantity == pytest.approx(60.0)
    assert check_week(inst.scenario, res.plan, week(0), availability=rows).ok
    too_much = [rows[0].model_copy(update={"kg_available": 30.0})]
    assert check_week(inst.scenario, res.plan, week(0), availability=too_much).codes() == {
        "availability_exceeded"
    }


def test_order_deadline_is_the_last_ordering_day_before_delivery() -> None:
    """Thursday noon for a Tuesday delivery; the same weekday means a week before."""
    tue = dt.date(2025, 9, 9)
    assert order_deadline(tue, Weekday.THU, 720) == (dt.date(2025, 9, 4), 720)
    assert order_deadline(tue, Weekday.TUE, None) == (dt.date(2025, 9, 2), 1440)
    assert order_deadline(tue, None, 720) is None


# --------------------------------------------------------------------------- regularity


def _alternating():  # type: ignore[no-untyped-def]
    """100 kg a week for 4 weeks; A is cheaper but delivers every other week, B every week."""
    return instance(
        products=[product("a")],
        producers=[producer("A", delivery_every_n_weeks=2), producer("B")],
        offers=[offer("A", "a", 1.0), offer("B", "a", 1.2)],
        canteens=[canteen("k")],
        demand={("k", w, "a"): 100.0 for w in range(4)},
        ref_prices={"a": 3.0},
    )


def _steady(inst, window_weeks: int | None, scope=RegularityScope.PRODUCER_KITCHEN):  # type: ignore[no-untyped-def]
    params = SolveParams(time_limit_s=10, seed=0, window_weeks=window_weeks)
    ordering = Ordering(regularity_eur_per_kg=0.5, regularity_scope=scope)
    return solve_sourcing(
        inst.scenario,
        inst.demand,
        inst.meals,
        inst.eligibility,
        params=params,
        options=SourcingOptions(ordering=ordering),
    )


@pytest.mark.parametrize("scope", list(RegularityScope))
def test_regularity_penalty_lowers_the_weekly_cv(scope: RegularityScope) -> None:
    """Without the penalty A and B alternate (CV 1 each); with 0.5 EUR per kg of change
    (per producer and kitchen, or per producer: one kitchen here) B delivers the same 100
    kg every week (CV 0)."""
    inst = _alternating()
    free = _solve(inst)
    steady = _steady(inst, None, scope)
    cv_free = regularity_table(inst.scenario, free.plan).set_index("producer_id")["weekly_kg_cv"]
    cv_steady = regularity_table(inst.scenario, steady.plan).set_index("producer_id")
    assert cv_free.to_dict() == pytest.approx({"A": 1.0, "B": 1.0, "TERRITORY": 1.0})
    assert cv_steady["weekly_kg_cv"].to_dict() == pytest.approx({"B": 0.0, "TERRITORY": 0.0})
    assert _checked(inst, steady.plan)


def test_regularity_carries_across_windows() -> None:
    """One week a window: week 0 cannot see ahead and takes A; each later window knows A
    sold 100 kg the week before, and B then delivers the same 100 kg every week (A: 100,
    0, 0, 0; B: 0, 100, 100, 100), a lower CV than alternating."""
    inst = _alternating()
    steady = _steady(inst, 1)
    by_week = {ln.week_start: ln.supplier_id for ln in steady.plan.lines}
    assert [by_week[week(w)] for w in range(4)] == ["A", "B", "B", "B"]
    cv = regularity_table(inst.scenario, steady.plan).set_index("producer_id")["weekly_kg_cv"]
    assert cv["TERRITORY"] < 1.0
    assert _checked(inst, steady.plan)


# --------------------------------------------------------------------------- re-planning


def _replan(inst, base, objective: str):  # type: ignore[no-untyped-def]
    gone = (Shortfall(producer_id="P2", product_id="*", from_week=week(2), loss_pct=100.0),)
    rev = Revision(previous=base.plan, from_week=week(2), shortfalls=gone, objective=objective)  # type: ignore[arg-type]
    return _solve(inst, revision=rev), gone


def _brute_force_changes(base_plan) -> tuple[int, dict[tuple[int, str], str]]:  # type: ignore[no-untyped-def]
    """Fewest changed lines over weeks 2-3 when P2 is gone, every product bought from one
    supplier a week (a split only adds lines), and the cheapest such choice by price."""
    before = {(ln.week_start, ln.product_id): ln.supplier_id for ln in base_plan.lines}
    price = {("P1", "carrot"): 1.0, ("P3", "carrot"): 1.1, ("ref", "carrot"): 3.0}
    price |= {("P3", "leek"): 1.1, ("ref", "leek"): 3.0}
    best: tuple[int, float, dict[tuple[int, str], str]] = (99, 0.0, {})
    options = {"carrot": ["P1", "P3", "ref"], "leek": ["P3", "ref"]}
    keys = [(w, p) for w in (2, 3) for p in ("carrot", "leek")]
    for choice in itertools.product(*(options[p] for _, p in keys)):
        plan = dict(zip(keys, choice, strict=True))
        changes = sum(2 for (w, p), s in plan.items() if before[(week(w), p)] != s)
        cost = sum(price[(s, p)] for (_, p), s in plan.items())
        if (changes, cost) < best[:2]:
            best = (changes, cost, plan)
    return best[0], best[2]


def test_replan_changes_the_fewest_lines_and_keeps_the_rest() -> None:
    """P2 (leeks) drops out from week 2: the re-plan changes exactly the leek lines (4:
    two removed, two new from P3, the brute-force minimum), keeps P1's carrots and the
    first two weeks; planning the remaining weeks from scratch moves the carrots to P3
    too (one drop instead of two, 5.75 EUR a week cheaper), 8 changed lines. Both plans
    pass the checkers."""
    inst = _two_products()
    base = _solve(inst)
    assert {(ln.supplier_id, ln.product_id) for ln in base.plan.lines} == {
        ("P1", "carrot"),
        ("P2", "leek"),
    }
    fewest, choice = _brute_force_changes(base.plan)
    replan, gone = _replan(inst, base, "lexicographic")
    scratch, _ = _replan(inst, base, "cost")
    changed = plan_changes(base.plan, replan.plan, since=week(2))
    assert len(changed) == replan.changed_lines == fewest == 4
    after = {(ln.week_start, ln.product_id): ln.supplier_id for ln in replan.plan.lines}
    assert all(after[(week(w), p)] == s for (w, p), s in choice.items())
    assert [ln for ln in replan.plan.lines if ln.week_start < week(2)] == [
        ln for ln in base.plan.lines if ln.week_start < week(2)
    ]
    assert len(plan_changes(base.plan, scratch.plan, since=week(2))) == 8
    for res in (replan, scratch):
        assert _checked(inst, res.plan)
        assert check_replan(inst.scenario, base.plan, res.plan, week(2), gone).ok


def test_replan_checker_sees_a_kept_week_changed_and_a_shortfall_ignored() -> None:
    """The re-plan checker flags the previous plan kept as it was after P2 dropped out."""
    inst = _two_products()
    base = _solve(inst)
    gone = (Shortfall(producer_id="P2", product_id="*", from_week=week(2), loss_pct=100.0),)
    report = check_replan(inst.scenario, base.plan, base.plan, week(2), gone)
    assert report.codes() == {"shortfall_exceeded"}
    assert len(report.violations) == 2


def test_a_listing_producer_sells_only_what_it_lists() -> None:
    """P2 lists leeks only this week: its carrot offer is gone that week, P1 keeps its
    offers (it lists nothing), and a row of 0 kg removes an offer."""
    inst = _two_products()
    rows = [
        Availability(producer_id="P2", product_id="leek", week=week(0), kg_available=50.0),
        Availability(producer_id="P3", product_id="leek", week=week(0), kg_available=0.0),
    ]
    sc = apply_availability(inst.scenario, rows, week(0))
    keys = {o.key: o for o in sc.offers}
    assert ("P2", "carrot") not in keys and ("P3", "leek") not in keys
    assert keys[("P2", "leek")].weekly_capacity == 50.0
    assert keys[("P2", "leek")].price_eur_per_unit == 1.0  # the offer's, none listed
    assert {k for k in keys if k[0] == "P1"} == {("P1", "carrot")}
    assert apply_availability(inst.scenario, rows, week(1)) is inst.scenario


def test_shortfall_file_problems_are_located(tmp_path: Path) -> None:
    """A product the producer does not offer and a loss over 100 %: both reported, each
    with its file, row and column."""
    path = tmp_path / "loss.csv"
    path.write_text(
        "producer_id,product_id,from_week,loss_pct\nP1,leek,2025-09-15,50\nP2,*,2025-09-15,150\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load_shortfalls(path, _two_products().scenario)
    got = {(p.file, p.row, p.column) for p in err.value.problems}
    assert got == {("loss.csv", 2, "product_id"), ("loss.csv", 3, "loss_pct")}
