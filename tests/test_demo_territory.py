"""The demo territory ``scenarios/baronnies/`` reproduces the seeds and its generator is honest."""

from __future__ import annotations

import importlib.util
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

from solver.core import DeliveryMode, Family, Label, Management, Scenario, SchoolZone, Weekday
from solver.scenario import read_scenario_folder, validate_scenario

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "scenarios" / "baronnies"
GENERATOR = ROOT / "scenarios" / "generate_baronnies.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """The generator script, imported as a module."""
    spec = importlib.util.spec_from_file_location("generate_baronnies", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> Scenario:
    """The committed demo territory."""
    scenario, _ = read_scenario_folder(FOLDER)
    return scenario


def _side(items: list, prefix: str) -> list:
    return [x for x in items if x.id.startswith(prefix)]


def test_folder_loads_and_validates(demo: Scenario) -> None:
    """The committed folder reads without problems and passes the cross-file validation."""
    scenario, source = read_scenario_folder(FOLDER)
    assert validate_scenario(scenario, source) == []
    assert demo.settings.synthetic is True
    assert demo.settings.horizon_weeks == 4
    assert demo.settings.radius_min == 30
    assert demo.settings.travel.source == "estimate"


def test_canteen_counts_and_meals_match_the_seeds(demo: Scenario) -> None:
    """9 canteens / 630 meals a day (zone B) and 14 canteens / 817 children (zone A)."""
    sb = _side(list(demo.canteens), "sb_")
    dr = _side(list(demo.canteens), "dr_")
    assert len(sb) == 9 and len(dr) == 14
    assert sum(c.meals_per_day for c in sb) == 630
    assert sum(c.meals_per_day for c in dr) == 817
    assert {c.school_zone for c in sb} == {SchoolZone.B}
    assert {c.school_zone for c in dr} == {SchoolZone.A}
    assert any(c.commune == "Mollans-sur-Ouvèze" for c in dr)


def test_sisteronais_management_modes_follow_the_seeds(demo: Scenario) -> None:
    """Sisteron central kitchen + satellites and Ribiers in régie; 4 communes concédées."""
    sb = _side(list(demo.canteens), "sb_")
    sisteron = [c for c in sb if c.commune_insee == "04209"]
    kitchens = [c for c in sisteron if c.management is Management.CUISINE_CENTRALE]
    assert len(kitchens) == 1
    ck = kitchens[0]
    assert ck.on_platform_round  # orders from Échanges Paysans every week
    satellites = [c for c in sisteron if c is not ck]
    assert satellites and all(
        c.management is Management.SATELLITE and c.kitchen_id == ck.id for c in satellites
    )
    ribiers = [c for c in sb if c.commune_insee == "05118"]  # Val Buëch-Méouge
    assert len(ribiers) == 1 and ribiers[0].management is Management.REGIE
    assert not ribiers[0].on_platform_round  # small volumes, little storage
    assert ribiers[0].storage_chilled_kg <= 50
    concedees = {c.commune for c in sb if c.management is Management.CONCEDEE}
    assert concedees == {"Laragne-Montéglin", "Mison", "Valernes", "Trescléoux"}
    assert len({c.commune_insee for c in sb}) == 6


def test_producer_counts_and_label_shares_per_side(demo: Scenario) -> None:
    """77 + 88 producers; organic and other-label shares within one producer of the seeds."""
    expected = {"sb_": (77, 0.82, 0.06), "dr_": (88, 0.194, 0.019)}
    for prefix, (n, bio_share, other_share) in expected.items():
        ps = _side(list(demo.producers), prefix)
        assert len(ps) == n
        n_bio = sum(Label.BIO in p.labels for p in ps)
        n_other = sum(Label.BIO not in p.labels and bool(p.labels) for p in ps)
        assert abs(n_bio - bio_share * n) <= 1, (prefix, n_bio)
        assert abs(n_other - other_share * n) <= 1, (prefix, n_other)
    siqo = {Label.LABEL_ROUGE, Label.AOCAOP, Label.IGP, Label.STG}
    dr_other = [
        p for p in _side(list(demo.producers), "dr_") if p.labels and Label.BIO not in p.labels
    ]
    assert all(set(p.labels) <= siqo for p in dr_other)  # "autres sigles officiels (SIQO)"


def test_producers_sit_in_their_territory(demo: Scenario, gen: ModuleType) -> None:
    """Every producer is placed at a commune of its side's EPCI."""
    territory = gen.load_territory()
    for prefix, side in (("sb_", gen.SIDE_SB), ("dr_", gen.SIDE_DR)):
        members = set(territory.members[side])
        assert len(members) == {"sb_": 60, "dr_": 67}[prefix]
        for p in _side(list(demo.producers), prefix):
            assert p.commune_insee in members, p.id
            c = territory.commune(p.commune_insee)
            assert (p.lat, p.lon) == (c.lat, c.lon)


def test_every_product_has_a_reference_price(demo: Scenario) -> None:
    """The wholesaler prices every product; every offer names a known product in season."""
    priced = {r.product_id for r in demo.reference_offers if r.price_eur_per_unit > 0}
    assert priced == {p.id for p in demo.products}
    ref = {r.product_id: r.price_eur_per_unit for r in demo.reference_offers}
    for o in demo.offers:
        assert o.product_id in ref
        assert o.price_eur_per_unit > ref[o.product_id]  # producer prices above wholesaler's
        assert o.months


def test_quality_products_of_the_territory_are_offered(demo: Scenario) -> None:
    """Agneau de Sisteron (IGP + Label Rouge), apples IGP, Banon AOP, olive products AOP..."""
    labelled = {
        (o.product_id, lab)
        for o in demo.offers
        for lab in demo.offer_labels(o)
        if lab in (Label.IGP, Label.AOCAOP, Label.LABEL_ROUGE)
    }
    for needed in (
        ("agneau", Label.IGP),
        ("agneau", Label.LABEL_ROUGE),
        ("pomme", Label.IGP),
        ("fromage_chevre", Label.AOCAOP),
        ("abricot", Label.IGP),
        ("olive_noire", Label.AOCAOP),
    ):
        assert needed in labelled, needed


def test_seasonality_of_fresh_offers(demo: Scenario) -> None:
    """Fresh summer produce is never offered in winter; storables may be offered all year."""
    for o in demo.offers:
        if o.product_id in ("tomate", "courgette", "abricot", "cerise", "melon", "fraise"):
            assert not set(o.months) & {12, 1, 2}, o
        if o.product_id == "pomme":
            assert set(o.months) == {8, 9, 10, 11, 12, 1, 2, 3, 4}


def test_delivery_conditions_span_the_seeds_ranges(demo: Scenario) -> None:
    """Minimum orders within 10-500 kg or 50-300 EUR, max drive 15-90 min, weekly to monthly."""
    for p in demo.producers:
        assert (10 <= p.min_order_kg <= 500) != (50 <= p.min_order_eur <= 300), p.id
        assert 15 <= p.max_drive_min <= 90
        assert p.deliveries_per_week <= len(p.delivery_weekdays)
    assert {p.delivery_every_n_weeks for p in demo.producers} == {1, 2, 4}
    assert max(p.deliveries_per_week for p in demo.producers) >= 2


def test_menu_cycle_respects_gemrcn(gen: ModuleType) -> None:
    """20 meals meet every GEMRCN frequency rule; the Mon/Tue/Thu/Fri subset meets them pro rata."""
    assert len(gen.MENU_CYCLE) == 20
    assert gen.gemrcn_violations(gen.MENU_CYCLE) == []
    four_days = [m for m in gen.MENU_CYCLE if m[1] in gen.FOUR_DAYS]
    assert gen.gemrcn_violations(four_days) == []


def test_gemrcn_check_catches_a_broken_cycle(gen: ModuleType) -> None:
    """Swapping fish for pork and a garnish of vegetables for pasta is reported."""
    broken = [
        (w, d, tuple("roti_porc" if k == "colin_herbes" else k for k in keys))
        for w, d, keys in gen.MENU_CYCLE
    ]
    broken[0] = (1, Weekday.MON, ("carottes_rapees", "bourguignon", "haricots_verts",
                                  "tomme_vache"))  # fmt: skip
    problems = gen.gemrcn_violations(broken)
    assert any(p.startswith("poisson:") for p in problems)
    assert any(p.startswith("legume_cuit_garniture:") for p in problems)


def test_one_vegetarian_meal_a_week(demo: Scenario) -> None:
    """Each week has exactly one all-vegetarian meal, on a 4-day-week day, without meat or fish."""
    meals: dict[tuple[int, Weekday], list] = defaultdict(list)
    for item in demo.menu:
        meals[(item.week, item.weekday)].append(item)
    assert len(meals) == 20
    meat_fish = {Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER, Family.CHARCUTERIE}
    veg_days: dict[int, list[Weekday]] = defaultdict(list)
    for (week, day), items in meals.items():
        flags = {i.vegetarian for i in items}
        assert len(flags) == 1, (week, day)  # all items of a meal agree
        has_meat = any(demo.product(i.product_id).family in meat_fish for i in items)
        assert flags == {not has_meat}, (week, day)
        if not has_meat:
            veg_days[week].append(day)
    assert sorted(veg_days) == [1, 2, 3, 4]
    for days in veg_days.values():
        assert len(days) == 1 and days[0] is not Weekday.WED


def test_food_cost_per_meal_near_budget(gen: ModuleType, demo: Scenario) -> None:
    """The menu bought at the wholesaler costs Ribiers' basket bought conventional (2.85 EUR)."""
    # 3.14 EUR at 28 % EGALIM / 14 % organic, each EGALIM euro turned back into conventional
    # at the demo's mean premiums: organic 1.225 x 1.35, other labels 1.225 x 1.10.
    by_hand = 3.14 * (1 - 0.28 + 0.14 / (1.225 * 1.35) + 0.14 / (1.225 * 1.10))
    assert gen.conventional_cost_of_ribiers() == pytest.approx(by_hand, abs=0.005)
    cost = gen.food_cost_per_meal()
    assert abs(cost["all_canteens"] - by_hand) < 0.03
    assert cost["maternelle"] < cost["elementaire"] < cost["adulte"]
    assert all(3.0 <= c.budget_eur_per_meal <= 3.45 for c in demo.canteens)
    budgets = {c.commune: c.budget_eur_per_meal for c in demo.kitchens()}
    assert budgets["Val Buëch-Méouge"] == 3.14  # Ribiers, the seeds' figure


#: Kitchens on Échanges Paysans' round, as documented in the README.
PLATFORM_KITCHENS = {
    "sb_sisteron_cuisine_centrale",
    "sb_laragne",
    "sb_mison",
    "sb_valernes",
    "sb_trescleoux",
}


def test_platform_round_members_are_as_documented(demo: Scenario) -> None:
    """The Sisteron kitchen and the four caterers' kitchens are on EP's round; Ribiers and
    the Drôme are not; every platform producer is collected on the round day, in catchment."""
    from app.services import travel_matrix
    from solver.prepare import build_eligibility

    on_round = {c.id for c in demo.canteens if c.on_platform_round}
    assert on_round == PLATFORM_KITCHENS
    assert all(c.management is not Management.SATELLITE for c in demo.canteens if c.id in on_round)
    (platform,) = demo.platforms
    assert platform.commune == "Gap"
    assert platform.round_weekdays == (Weekday.TUE,)
    assert platform.catchment_min == 90
    assert [v.capacity_kg for v in platform.vans] == [1000.0]
    sellers = [p for p in demo.producers if DeliveryMode.PLATFORM in p.delivery_modes]
    assert all(Weekday.TUE in p.delivery_weekdays for p in sellers)
    matrix = travel_matrix(demo)
    el = build_eligibility(
        demo, matrix.ids, matrix.seconds, travel_source=matrix.source, estimated=True
    )
    assert el.platform_kitchens == frozenset(PLATFORM_KITCHENS)
    assert el.platform_producers <= {p.id for p in sellers}
    # 37 of the 41 platform sellers lie within 90 min of Gap (README); the Drôme ones do not
    assert (len(sellers), len(el.platform_producers)) == (41, 37)
    depot = matrix.ids.index(platform.id)
    for kid in PLATFORM_KITCHENS:
        assert matrix.seconds[depot, matrix.ids.index(kid)] <= 90 * 60, kid


def test_purchasing_kitchens_have_placeholder_sirets(gen: ModuleType, demo: Scenario) -> None:
    """Every purchasing kitchen has a distinct 14-digit Luhn-valid PLACEHOLDER SIRET."""
    kitchens = demo.kitchens()
    sirets = [k.siret for k in kitchens]
    assert len(kitchens) == 18 and len(set(sirets)) == 18
    for s in sirets:
        assert len(s) == 14 and s.isdigit() and s.startswith(gen.PLACEHOLDER_SIREN_PREFIX)
        assert gen.luhn_ok(s)
    assert all(c.siret == "" for c in demo.canteens if c.management is Management.SATELLITE)
    assert gen.luhn_ok("73282932000074")  # a real SIRET format example passes
    assert not gen.luhn_ok("73282932000075")


def test_committed_menu_is_the_checked_cycle(gen: ModuleType, demo: Scenario) -> None:
    """menu.csv is exactly the cycle the GEMRCN check ran on."""
    assert tuple(gen.build_menu()) == demo.menu


def test_generator_is_deterministic(gen: ModuleType, tmp_path: Path) -> None:
    """Regenerating gives byte-identical files to the committed folder."""
    out = tmp_path / "baronnies"
    assert gen.main(["--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    # sub-folders (e.g. pooling/ examples) are not written by the generator
    committed = sorted(p.name for p in FOLDER.iterdir() if p.is_file() and p.name != "README.md")
    assert written == committed
    for name in written:
        assert (out / name).read_bytes() == (FOLDER / name).read_bytes(), name
