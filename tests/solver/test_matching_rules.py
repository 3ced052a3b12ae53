"""One positive and one negative test per sourcing rule, on tiny hand-made instances."""

from __future__ import annotations

from matching_fixtures import canteen, instance, offer, platform, producer, product

from solver.core import (
    Channel,
    ColdChain,
    DeliveryMode,
    Label,
    ObjectiveMode,
    SolveParams,
    TargetMode,
    Weekday,
)
from solver.sourcing import LogisticsOverrides, SourcingResult, Tiebreak, solve_sourcing

PARAMS = SolveParams(time_limit_s=20.0, mip_gap=0.0, window_weeks=52)
NO_TIE = Tiebreak(per_delivery_eur=0.0, per_new_supplier_eur=0.0)


def solve(inst, **kw) -> SourcingResult:  # type: ignore[no-untyped-def]
    """Solve with zero drop costs unless told (pairs listed in ``free_drops``)."""
    kw.setdefault("tiebreak", NO_TIE)
    sc = inst.scenario
    free = {(p.id, c.id): 0.0 for p in sc.producers for c in sc.canteens}
    kw.setdefault("logistics_cost_overrides", LogisticsOverrides(direct_drop_eur=free))
    params = kw.pop("params", PARAMS)
    return solve_sourcing(sc, inst.demand, inst.meals, inst.eligibility, params=params, **kw)


def local(res: SourcingResult, kitchen: str | None = None, week_idx: int | None = None) -> float:
    """Units bought from producers (not the wholesaler)."""
    weeks = res.plan.weeks
    return sum(
        line.quantity
        for line in res.plan.lines
        if line.channel is not Channel.REFERENCE
        and (kitchen is None or line.kitchen_id == kitchen)
        and (week_idx is None or line.week_start == weeks[week_idx])
    )


def _one(**over: object):  # type: ignore[no-untyped-def]
    """One producer, one kitchen, one product; the local price (1) beats the wholesaler (2)."""
    prod_kw = over.pop("producer", {})
    can_kw = over.pop("canteen", {})
    off_kw = over.pop("offer", {})
    demand = over.pop("demand", {("K", 0, "carrot"): 50.0})
    return instance(
        products=[product("carrot", **over.pop("product", {}))],
        producers=[producer("P", **prod_kw)],
        offers=[offer("P", "carrot", 1.0, **off_kw)],
        canteens=[canteen("K", **can_kw)],
        demand=demand,
        ref_prices={"carrot": 2.0},
        **over,
    )


def test_cheaper_local_offer_is_bought() -> None:
    """With nothing in the way, the cheaper local offer covers the demand."""
    res = solve(_one())
    assert res.status == "OPTIMAL"
    assert local(res) == 50.0


def test_eligibility_radius_blocks_far_producer() -> None:
    """A producer 45 minutes away (radius 30) supplies nothing directly."""
    res = solve(_one(drive_min={("P", "K"): 45.0}))
    assert local(res) == 0.0


def test_capacity_shared_by_kitchens() -> None:
    """Weekly capacity 60 is shared: two kitchens wanting 50 each get 60 in total."""
    inst = instance(
        products=[product("carrot")],
        producers=[producer("P")],
        offers=[offer("P", "carrot", 1.0, cap=60.0)],
        canteens=[canteen("K1"), canteen("K2")],
        demand={("K1", 0, "carrot"): 50.0, ("K2", 0, "carrot"): 50.0},
        ref_prices={"carrot": 2.0},
    )
    res = solve(inst)
    assert abs(local(res) - 60.0) < 1e-6
    assert abs(local(solve(_one(offer={"cap": 500.0}))) - 50.0) < 1e-6


def test_out_of_season_offer_not_bought() -> None:
    """An offer of months 1-6 sells nothing in September; an all-year one does."""
    assert local(solve(_one(offer={"months": (1, 2, 3, 4, 5, 6)}))) == 0.0
    assert local(solve(_one(offer={"months": (9,)}))) == 50.0


def test_min_order_per_drop() -> None:
    """Demand 50 kg below a 60 kg minimum order falls back to the wholesaler; 40 kg min is met."""
    assert local(solve(_one(producer={"min_order_kg": 60.0}))) == 0.0
    assert local(solve(_one(producer={"min_order_kg": 40.0}))) == 50.0


def test_min_order_eur_per_drop() -> None:
    """A 60 EUR minimum is not met by 50 EUR of carrots; a 40 EUR one is."""
    assert local(solve(_one(producer={"min_order_eur": 60.0}))) == 0.0
    assert local(solve(_one(producer={"min_order_eur": 40.0}))) == 50.0


def test_min_lot_per_line() -> None:
    """A 60-unit minimum lot cannot be met by 50 units of demand; a 20-unit lot can."""
    assert local(solve(_one(offer={"min_lot": 60.0}))) == 0.0
    assert local(solve(_one(offer={"min_lot": 20.0}))) == 50.0


def _platform_instance(kitchens: list[str]):  # type: ignore[no-untyped-def]
    return instance(
        products=[product("carrot")],
        producers=[producer("P", delivery_modes=(DeliveryMode.PLATFORM,), min_order_kg=50.0)],
        offers=[offer("P", "carrot", 1.0)],
        canteens=[canteen(k, on_platform_round=True) for k in kitchens],
        demand={(k, 0, "carrot"): 30.0 for k in kitchens},
        ref_prices={"carrot": 2.0},
        platform=platform(),
    )


def test_platform_pools_minimum_order() -> None:
    """Two kitchens of 30 kg pool a 50 kg pickup on the platform; one kitchen alone cannot."""
    res = solve(_platform_instance(["K1", "K2"]))
    assert abs(local(res) - 60.0) < 1e-6
    assert all(
        line.channel is Channel.PLATFORM for line in res.plan.lines if line.supplier_id == "P"
    )
    assert all(
        abs(line.unit_price_eur - 1.2) < 1e-9 for line in res.plan.lines if line.supplier_id == "P"
    )
    assert local(solve(_platform_instance(["K1"]))) == 0.0


def test_platform_without_refrigerated_van_skips_chilled() -> None:
    """Chilled goods stay off a platform whose only van is not refrigerated."""
    inst = _platform_instance(["K1", "K2"])
    sc = inst.scenario
    from solver.core import Van

    sc2 = sc.model_copy(
        update={
            "products": (product("carrot", cold_chain=ColdChain.CHILLED),),
            "platforms": (platform(vans=(Van(id="v", capacity_kg=1000.0, refrigerated=False),)),),
        }
    )
    sc2.model_post_init(None)
    inst.scenario = sc2
    assert local(solve(inst)) == 0.0


def test_delivery_weekdays_must_meet() -> None:
    """A producer delivering only on Tuesday cannot serve a kitchen receiving on Monday only."""
    res = solve(
        _one(
            producer={"delivery_weekdays": (Weekday.TUE,)},
            canteen={"delivery_weekdays": (Weekday.MON,)},
        )
    )
    assert local(res) == 0.0
    res = solve(
        _one(
            producer={"delivery_weekdays": (Weekday.MON,)},
            canteen={"delivery_weekdays": (Weekday.MON,)},
        )
    )
    assert local(res) == 50.0


def test_every_n_weeks() -> None:
    """A fortnightly producer delivers a fresh product one week out of two; a weekly one both."""
    demand = {("K", 0, "carrot"): 50.0, ("K", 1, "carrot"): 50.0}
    res = solve(_one(producer={"delivery_every_n_weeks": 2}, demand=demand))
    assert abs(local(res) - 50.0) < 1e-6
    res = solve(_one(producer={"delivery_every_n_weeks": 1}, demand=demand))
    assert abs(local(res) - 100.0) < 1e-6


def test_producer_deliveries_per_week() -> None:
    """A producer allowed one drop a week serves one of two kitchens directly; with two, both."""

    def inst(per_week: int):  # type: ignore[no-untyped-def]
        return instance(
            products=[product("carrot")],
            producers=[producer("P", deliveries_per_week=per_week)],
            offers=[offer("P", "carrot", 1.0)],
            canteens=[canteen("K1"), canteen("K2")],
            demand={("K1", 0, "carrot"): 50.0, ("K2", 0, "carrot"): 50.0},
            ref_prices={"carrot": 2.0},
        )

    assert abs(local(solve(inst(1))) - 50.0) < 1e-6
    assert abs(local(solve(inst(2))) - 100.0) < 1e-6


def test_kitchen_max_deliveries() -> None:
    """With one delivery a week allowed and a product only the wholesaler sells, the producer
    cannot also deliver; with two deliveries it can."""

    def inst(max_d: int):  # type: ignore[no-untyped-def]
        return instance(
            products=[product("carrot"), product("rice")],
            producers=[producer("P")],
            offers=[offer("P", "carrot", 1.0)],
            canteens=[canteen("K", max_deliveries_per_week=max_d)],
            demand={("K", 0, "carrot"): 50.0, ("K", 0, "rice"): 10.0},
            ref_prices={"carrot": 2.0, "rice": 1.0},
        )

    assert local(solve(inst(1))) == 0.0
    assert local(solve(inst(2))) == 50.0


def _stock_instance(storage_kg: float, shelf_days: int, storable: bool = True):  # type: ignore[no-untyped-def]
    return instance(
        products=[product("lentils", storable=storable, shelf_life_days=shelf_days)],
        producers=[producer("P", min_order_kg=80.0)],
        offers=[offer("P", "lentils", 1.0)],
        canteens=[canteen("K", storage_ambient_kg=storage_kg)],
        demand={("K", 0, "lentils"): 50.0, ("K", 1, "lentils"): 50.0},
        ref_prices={"lentils": 2.0},
    )


def test_storable_bought_ahead_within_storage() -> None:
    """An 80 kg minimum is met by buying two weeks of lentils at once when 50 kg fit in store."""
    res = solve(_stock_instance(storage_kg=60.0, shelf_days=30))
    assert abs(local(res) - 100.0) < 1e-6
    assert abs(local(res, week_idx=0) - 100.0) < 1e-6


def test_storage_capacity_blocks_buying_ahead() -> None:
    """With 20 kg of storage the two weeks cannot be bought at once: no local lentils."""
    assert local(solve(_stock_instance(storage_kg=20.0, shelf_days=30))) == 0.0


def test_shelf_life_blocks_buying_ahead() -> None:
    """A 5-day shelf life (or a fresh product) forbids carrying stock to next week."""
    assert local(solve(_stock_instance(storage_kg=500.0, shelf_days=5))) == 0.0
    assert local(solve(_stock_instance(storage_kg=500.0, shelf_days=30, storable=False))) == 0.0


def _bio_instance(target_mode: TargetMode, bio_available: bool = True):  # type: ignore[no-untyped-def]
    return instance(
        products=[product("carrot")],
        producers=[producer("P", labels=(Label.BIO,))],
        offers=[offer("P", "carrot", 2.5, months=(9,) if bio_available else (1,))],
        canteens=[canteen("K", target_bio_pct=20.0)],
        demand={("K", 0, "carrot"): 100.0},
        ref_prices={"carrot": 2.0},
        target_mode=target_mode,
    )


def test_soft_bio_target_buys_organic_and_reports_no_shortfall() -> None:
    """A pricier organic offer is bought up to the 20 % organic target (soft, penalised)."""
    res = solve(_bio_instance(TargetMode.SOFT))
    bio = sum(line.value_eur for line in res.plan.lines if Label.BIO in line.labels)
    total = sum(line.value_eur for line in res.plan.lines)
    assert bio / total >= 0.2 - 1e-6
    assert not [s for s in res.target_shortfalls if s.target == "bio"]


def test_soft_bio_target_unreachable_is_reported() -> None:
    """Without organic supply the soft target is missed and reported with its penalty."""
    res = solve(_bio_instance(TargetMode.SOFT, bio_available=False))
    miss = [s for s in res.target_shortfalls if s.target == "bio"]
    assert miss and miss[0].achieved == 0.0 and miss[0].required == 20.0
    assert miss[0].penalty_eur > 0
    assert res.hard_infeasibility is None
    assert res.status == "OPTIMAL"


def test_hard_bio_target_infeasible_is_a_structured_answer() -> None:
    """Hard mode without organic supply: INFEASIBLE, proven, naming bio and the relaxation."""
    res = solve(_bio_instance(TargetMode.HARD, bio_available=False))
    assert res.status == "INFEASIBLE"
    h = res.hard_infeasibility
    assert h is not None and h.proven
    assert h.target == "bio" and h.kitchen_id == "K"
    assert abs(h.shortfall - 20.0) < 1e-6
    assert "bio" in h.cheapest_relaxation and "0.0%" in h.cheapest_relaxation


def test_hard_bio_target_met_when_possible() -> None:
    """Hard mode with organic supply meets the target exactly: no infeasibility."""
    res = solve(_bio_instance(TargetMode.HARD))
    assert res.hard_infeasibility is None
    assert res.status == "OPTIMAL"


def test_budget_shortfall_reported() -> None:
    """A budget of 0.1 EUR/meal cannot buy 100 EUR of food for 400 meals: budget missed."""
    res = solve(_one(canteen={"budget_eur_per_meal": 0.1}))
    miss = [s for s in res.target_shortfalls if s.target == "budget"]
    assert miss and miss[0].unit == "EUR/meal" and miss[0].achieved > 0.1


def test_logistics_override_prices_the_drop() -> None:
    """A 200 EUR drop cost makes the 50 EUR saving not worth it: the wholesaler wins."""
    over = LogisticsOverrides(direct_drop_eur={("P", "K"): 200.0})
    res = solve(_one(), logistics_cost_overrides=over)
    assert local(res) == 0.0
    assert res.plan.logistics_source == "override"


def test_max_local_buys_local_even_when_dearer() -> None:
    """MAX_LOCAL buys a dearer local product within budget; MIN_COST does not."""
    inst = _one(offer={})
    sc = inst.scenario
    offers = (offer("P", "carrot", 3.0),)
    inst.scenario = sc.model_copy(update={"offers": offers})
    inst.scenario.model_post_init(None)
    assert local(solve(inst)) == 0.0
    inst.scenario = inst.scenario.model_copy(
        update={"settings": sc.settings.model_copy(update={"objective": ObjectiveMode.MAX_LOCAL})}
    )
    inst.scenario.model_post_init(None)
    assert local(solve(inst)) == 50.0
