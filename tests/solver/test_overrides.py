"""Scenario variants: override files applied on a base folder, each kind, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.core import DeliveryMode, Label, ScenarioError, Weekday
from solver.scenario import load_scenario_variant


def _variant(tiny: Path, tmp_path: Path, text: str, name: str = "what_if.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tiny: Path, override: Path) -> list[tuple[str, int, str, str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_variant(tiny, [override])
    return [(p.file, p.row, p.column, p.value, p.message) for p in info.value.problems]


def test_settings_and_flags(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """[settings] keys change the settings; the variant is named after its file and
    marked synthetic when it says so."""
    ov = _variant(
        tiny_scenario_dir,
        tmp_path,
        "synthetic = true\n[settings]\nhorizon_weeks = 3\n[settings.travel]\nspeed_kmh = 50\n",
    )
    sc = load_scenario_variant(tiny_scenario_dir, [ov])
    assert sc.settings.horizon_weeks == 3
    assert sc.settings.travel.speed_kmh == 50
    assert sc.settings.name == "tiny+what_if"
    assert sc.settings.synthetic


def test_add_a_producer_with_its_offer(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """[[add.producers]] and [[add.offers]] rows hold CSV cells or TOML values."""
    ov = _variant(
        tiny_scenario_dir,
        tmp_path,
        """
[[add.producers]]
id = "maraicher-ribiers"
name = "Maraîcher de Ribiers"
lat = 44.23
lon = 5.86
labels = ["BIO"]
delivery_weekdays = "mon;thu"
pickup_start_min = "06:30"

[[add.offers]]
producer_id = "maraicher-ribiers"
product_id = "carotte"
price_eur_per_unit = 1.7
weekly_capacity = 40
months = "1-12"
""",
    )
    sc = load_scenario_variant(tiny_scenario_dir, [ov])
    p = sc.producer("maraicher-ribiers")
    assert p.labels == (Label.BIO,)
    assert p.delivery_weekdays == (Weekday.MON, Weekday.THU)
    assert p.pickup_start_min == 390
    assert ("maraicher-ribiers", "carotte") in {o.key for o in sc.offers}


def test_set_extend_and_remove(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """set changes cells of matching rows (glob patterns), extend appends to list cells,
    remove drops rows and a removed producer's offers."""
    ov = _variant(
        tiny_scenario_dir,
        tmp_path,
        """
[[set.canteens]]
where = { id = "sis*" }
on_platform_round = true
budget_eur_per_meal = 3.5

[[extend.producers]]
where = { id = "ferme-buech" }
delivery_modes = "platform"
delivery_weekdays = ["tue", "fri"]

[[remove.producers]]
where = { id = "laiterie-mison" }

[[set.platforms]]
where = { id = "echanges-paysans" }
round_weekdays = "tue;thu"

[[set.vans]]
where = { platform_id = "echanges-paysans" }
capacity_kg = 600
""",
    )
    sc = load_scenario_variant(tiny_scenario_dir, [ov])
    cc = sc.canteen("sisteron-cc")
    assert cc.on_platform_round and cc.budget_eur_per_meal == 3.5
    fb = sc.producer("ferme-buech")
    assert fb.delivery_modes == (DeliveryMode.SELF_DELIVERY, DeliveryMode.PLATFORM)
    assert fb.delivery_weekdays == (Weekday.TUE, Weekday.THU, Weekday.FRI)
    assert "laiterie-mison" not in {p.id for p in sc.producers}
    assert all(o.producer_id != "laiterie-mison" for o in sc.offers)
    assert sc.platforms[0].round_weekdays == (Weekday.TUE, Weekday.THU)
    assert sc.platforms[0].vans[0].capacity_kg == 600


def test_add_a_second_depot_with_its_van(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """A platform and its van added; a canteen moved to its round by platform_id."""
    ov = _variant(
        tiny_scenario_dir,
        tmp_path,
        """
[[add.platforms]]
id = "depot-laragne"
name = "Dépôt de Laragne"
lat = 44.316
lon = 5.822
round_weekdays = "thu"

[[add.vans]]
platform_id = "depot-laragne"
id = "van-laragne"
capacity_kg = 400

[[set.canteens]]
where = { id = "ribiers" }
platform_id = "depot-laragne"
""",
    )
    sc = load_scenario_variant(tiny_scenario_dir, [ov])
    assert [p.id for p in sc.platforms] == ["echanges-paysans", "depot-laragne"]
    assert [v.id for v in sc.platforms[1].vans] == ["van-laragne"]
    assert sc.canteen("ribiers").platform_id == "depot-laragne"


def test_overrides_apply_in_order(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """Two override files: the second sees what the first did."""
    a = _variant(tiny_scenario_dir, tmp_path, "[settings]\nhorizon_weeks = 3\n", "a.toml")
    b = _variant(
        tiny_scenario_dir,
        tmp_path,
        '[[set.canteens]]\nwhere = { id = "ribiers" }\nmeals_adulte = 5\n',
        "b.toml",
    )
    sc = load_scenario_variant(tiny_scenario_dir, [a, b])
    assert sc.settings.horizon_weeks == 3
    assert sc.settings.name == "tiny+a+b"
    assert sc.canteen("ribiers").meals_adulte == 5


BAD = [
    (
        "not TOML",
        "[[add.producers]\nid = 1\n",
        [("bad.toml", 1, "", "", "not valid TOML")],
    ),
    (
        "unknown table",
        '\n[[add.producer]]\nid = "x"\n',
        [("bad.toml", 2, "add.producer", "producer", "unknown table (did you mean 'producers'?)")],
    ),
    (
        "unknown column",
        '[[set.canteens]]\nwhere = { id = "ribiers" }\nbudjet = 3\n',
        [("bad.toml", 1, "set.canteens.budjet", "3", "unknown column of canteens.csv")],
    ),
    (
        "bad cell",
        '\n\n[[set.canteens]]\nwhere = { id = "ribiers" }\nreceiving_start_min = "25:00"\n',
        [("bad.toml", 3, "set.canteens.receiving_start_min", "25:00", "not a time of day")],
    ),
    (
        "bad value",
        '[[add.offers]]\nproducer_id = "ferme-buech"\nproduct_id = "agneau"\n'
        "price_eur_per_unit = -2\nweekly_capacity = 10\n",
        [("bad.toml", 1, "add.offers.price_eur_per_unit", "-2", "must be greater than 0")],
    ),
    (
        "missing column",
        '[[add.producers]]\nid = "x"\nname = "X"\nlat = 44.2\n',
        [("bad.toml", 1, "add.producers.lon", "", "required column is missing")],
    ),
    (
        "no match",
        '[[remove.producers]]\nwhere = { id = "ferme-bueche" }\n',
        [("bad.toml", 1, "remove.producers.where", "id=ferme-bueche", "matches no row")],
    ),
    (
        "where on unknown column",
        '[[set.producers]]\nwhere = { iden = "x" }\nname = "Y"\n',
        [("bad.toml", 1, "set.producers.where", "iden", "unknown column 'iden'")],
    ),
    (
        "extend a number",
        '[[extend.producers]]\nwhere = { id = "ferme-buech" }\nmin_order_kg = 3\n',
        [("bad.toml", 1, "extend.producers.min_order_kg", "3", "list columns only")],
    ),
    (
        "bad setting",
        "[settings]\n\nhorizon_weeks = 0\n",
        [("bad.toml", 3, "settings.horizon_weeks", "0", "must be at least 1")],
    ),
    (
        "broken reference",
        '\n[[add.offers]]\nproducer_id = "nobody"\nproduct_id = "carotte"\n'
        "price_eur_per_unit = 2\nweekly_capacity = 10\n",
        [("bad.toml", 2, "producer_id", "nobody", "unknown producer")],
    ),
    (
        "unknown top key",
        'desciption = "x"\n',
        [("bad.toml", 0, "desciption", "", "unknown key")],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_located_errors(
    tiny_scenario_dir: Path,
    tmp_path: Path,
    case: str,
    text: str,
    expected: list[tuple[str, int, str, str, str]],
) -> None:
    """Each fault names the override file, the line of its entry, the column and value."""
    found = _problems(tiny_scenario_dir, _variant(tiny_scenario_dir, tmp_path, text, "bad.toml"))
    for file, row, column, value, fragment in expected:
        assert any(
            (f, r, c, v) == (file, row, column, value) and fragment in m for f, r, c, v, m in found
        ), f"{case}: {found}"
