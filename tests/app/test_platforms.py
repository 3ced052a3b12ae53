"""Several platforms in one scenario: each with its depot, catchment, round and vans."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import services
from solver.core import Channel, Scenario, SolveParams
from solver.evaluation import check_plan
from solver.scenario import load_scenario

TWO_DEPOTS = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "two_depots"


@pytest.fixture(scope="module")
def two_depots() -> Scenario:
    """Gap's platform with its farm and kitchen; Nyons' depot with its own; Buis off both."""
    return load_scenario(TWO_DEPOTS)


@pytest.fixture(scope="module")
def planned(two_depots: Scenario) -> services.PlanOutcome:
    """The territory plan of the two-depot scenario (one week, short limits)."""
    return services.plan_territory(
        two_depots,
        params=SolveParams(time_limit_s=10.0),
        weeks=1,
        base_dir=TWO_DEPOTS,
        rounds_time_limit_s=1.0,
    )


def test_each_kitchen_is_on_its_nearest_platform(two_depots: Scenario) -> None:
    """Each round kitchen goes to the depot whose catchment reaches it; each depot collects
    the platform farms in its own catchment only; the kitchen off the rounds is on none."""
    el = services.prepare(two_depots, weeks=1, base_dir=TWO_DEPOTS).eligibility
    assert dict(el.kitchen_platform) == {"cc-gap": "ep-gap", "cc-nyons": "depot-nyons"}
    assert el.platform_members["ep-gap"] == frozenset({"ferme-gap"})
    assert el.platform_members["depot-nyons"] == frozenset({"ferme-nyons"})
    assert el.platform_of("ecole-buis") is None
    assert el.via_platform("ferme-nyons", "cc-nyons")
    assert not el.via_platform("ferme-gap", "cc-nyons")


def test_a_named_platform_wins_over_the_nearest(two_depots: Scenario) -> None:
    """A canteen whose platform_id names a depot is on that depot's round."""
    moved = tuple(
        c.model_copy(update={"platform_id": "ep-gap"}) if c.id == "cc-nyons" else c
        for c in two_depots.canteens
    )
    el = services.prepare(two_depots.replace(canteens=moved), weeks=1, base_dir=TWO_DEPOTS)
    assert el.eligibility.kitchen_platform["cc-nyons"] == "ep-gap"


def test_platform_lines_and_rounds_per_platform(planned: services.PlanOutcome) -> None:
    """Each kitchen's carrots come through its own platform (the line says which), each
    platform gets its own rounds from its own depot, and every checker passes."""
    plat = [ln for ln in planned.plan.lines if ln.channel is Channel.PLATFORM]
    assert {(ln.kitchen_id, ln.supplier_id, ln.platform_id) for ln in plat} == {
        ("cc-gap", "ferme-gap", "ep-gap"),
        ("cc-nyons", "ferme-nyons", "depot-nyons"),
    }
    rounds = planned.all_rounds
    assert set(rounds) == {"ep-gap", "depot-nyons"}
    for pid, outcome in rounds.items():
        depots = [s.id for s in outcome.problem.sites if s.kind == "depot"]
        assert depots == [pid]
        assert outcome.result.summary.orders_served == len(outcome.problem.orders)
    assert planned.ok, planned.check.violations
    assert set(planned.to_dict()["rounds_by_platform"]) == {"ep-gap", "depot-nyons"}


def test_outputs_hold_each_platform_rounds(planned: services.PlanOutcome, tmp_path: Path) -> None:
    """The first platform's rounds are written at the top, the other's in its folder."""
    written = planned.write_outputs(tmp_path)
    assert (tmp_path / "routes.json").is_file()
    assert (tmp_path / "rounds_depot-nyons" / "routes.json").is_file()
    assert "rounds_depot-nyons/map.html" in written


def test_checker_refuses_a_farm_of_another_platform(
    two_depots: Scenario, planned: services.PlanOutcome
) -> None:
    """A Nyons kitchen buying from Gap's farm through a platform is not eligible."""
    t = planned.territory
    lines = tuple(
        ln.model_copy(update={"supplier_id": "ferme-gap"})
        if ln.kitchen_id == "cc-nyons" and ln.channel is Channel.PLATFORM
        else ln
        for ln in planned.plan.lines
    )
    bad = planned.plan.model_copy(update={"lines": lines})
    check = check_plan(two_depots, t.demand, t.meals, t.eligibility, bad)
    rules = {v.rule for v in check.violations}
    assert "not_eligible" in rules


def test_platforms_table_has_each_platform(planned: services.PlanOutcome) -> None:
    """Per platform: kitchens, producers and kg carried, and its rounds' km."""
    table = planned.platforms().set_index("platform_id")
    assert list(table.index) == ["ep-gap", "depot-nyons"]
    assert (table["kitchens"] == 1).all() and (table["producers"] == 1).all()
    assert (table["kg"] > 0).all() and (table["distance_km"] > 0).all()
    plat_kg = sum(ln.quantity_kg for ln in planned.plan.lines if ln.channel is Channel.PLATFORM)
    assert table["kg"].sum() == pytest.approx(plat_kg)


def test_platform_lines_fall_on_a_round_day_their_farm_delivers(two_depots: Scenario) -> None:
    """Gap's round runs Monday and Tuesday; its farm delivers on Tuesday only: the farm's
    platform lines are dated Tuesday (not the round's first day) and the plan checks."""
    from solver.core import Weekday

    platforms = tuple(
        pf.model_copy(update={"round_weekdays": (Weekday.MON, Weekday.TUE)})
        if pf.id == "ep-gap"
        else pf
        for pf in two_depots.platforms
    )
    scenario = two_depots.replace(platforms=platforms)
    out = services.plan_territory(
        scenario,
        params=SolveParams(time_limit_s=10.0),
        weeks=1,
        base_dir=TWO_DEPOTS,
        rounds_time_limit_s=1.0,
    )
    gap = [ln for ln in out.plan.lines if ln.platform_id == "ep-gap"]
    assert gap, "Gap's kitchen buys through its platform"
    assert {ln.delivery_date.isoweekday() for ln in gap} == {2}
    assert out.ok, out.check.violations


def test_platform_day_prefers_the_farm_and_the_kitchen() -> None:
    """The first round day both can do, else the farm's, else the round's first."""
    from solver.sourcing import platform_day

    assert platform_day((1, 2, 4), (2, 4), (4, 5)) == 4
    assert platform_day((1, 2, 4), (2, 4), (5,)) == 2
    assert platform_day((2, 4), (3,), (3,)) == 2
