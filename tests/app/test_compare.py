"""Territory what-ifs: two plans side by side, their differences, the CLI end to end."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from app import services, whatifs
from app.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "scenarios"
TWO = DATA / "two_depots"
TINY = DATA / "tiny"
runner = CliRunner()

#: The Nyons kitchen leaves the depot's round: its carrots then come from the wholesaler.
NO_NYONS_ROUND = """
description = "cc-nyons off the round"
[[set.canteens]]
where = { id = "cc-nyons" }
on_platform_round = "no"
"""


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> whatifs.Comparison:
    """The two-depot scenario against its variant without the Nyons round (one week)."""
    override = tmp_path_factory.mktemp("ov") / "no_nyons_round.toml"
    override.write_text(NO_NYONS_ROUND, encoding="utf-8")
    base = services.load_scenario(TWO)
    variant = services.load_scenario(f"{TWO}+{override}")
    return whatifs.compare_scenarios(
        [(base.settings.name, base, TWO), (variant.settings.name, variant, TWO)],
        weeks=1,
        time_limit_s=5.0,
        rounds_time_limit_s=1.0,
    )


def test_summary_side_by_side(comparison: whatifs.Comparison) -> None:
    """One column per scenario and one of differences; the variant carries less through
    the platforms, drives less and buys less local food."""
    s = comparison.tables["summary"].set_index("figure")
    a, b = comparison.names
    assert b == "two_depots+no_nyons_round"
    assert list(s.columns) == [a, b, f"Δ {b}"]
    assert s.loc["platform_kitchens", b] == 1 and s.loc["platform_kitchens", a] == 2
    assert s.loc["platform_kg", f"Δ {b}"] < 0
    assert s.loc["rounds_km", b] < s.loc["rounds_km", a]
    assert s.loc["local_pct", f"Δ {b}"] == pytest.approx(
        s.loc["local_pct", b] - s.loc["local_pct", a]
    )
    assert bool(s.loc["checker_ok", a]) and bool(s.loc["checker_ok", b])


def test_kitchens_and_platforms(comparison: whatifs.Comparison) -> None:
    """The Nyons kitchen loses its local carrots, the Gap kitchen keeps them; the platforms
    table has each scenario's platforms."""
    a, b = comparison.names
    k = comparison.tables["kitchens"].set_index("kitchen_id")
    assert k.loc["cc-nyons", f"local_pct [{a}]"] > 0
    assert k.loc["cc-nyons", f"local_pct [{b}]"] == 0
    assert k.loc["cc-nyons", f"local_pct Δ [{b}]"] < 0
    assert k.loc["cc-gap", f"local_pct [{b}]"] == pytest.approx(k.loc["cc-gap", f"local_pct [{a}]"])
    p = comparison.tables["platforms"]
    assert set(zip(p["scenario"], p["platform_id"], strict=True)) == {
        (a, "ep-gap"),
        (a, "depot-nyons"),
        (b, "ep-gap"),
        (b, "depot-nyons"),
    }


def test_written_files(comparison: whatifs.Comparison, tmp_path: Path) -> None:
    """CSV per table and one workbook; JSON-ready result."""
    written = comparison.write(tmp_path)
    assert set(written) == {
        "compare_summary.csv",
        "compare_kitchens.csv",
        "compare_platforms.csv",
        "compare_producers.csv",
        "compare.xlsx",
    }
    kitchens = pd.read_csv(tmp_path / "compare_kitchens.csv")
    assert kitchens["kitchen_id"].tolist() == ["cc-gap", "cc-nyons", "ecole-buis"]
    assert kitchens.columns[-1] == "provenance"
    assert kitchens["provenance"].str.startswith("SYNTHETIC").all()
    data = comparison.to_dict()
    assert data["ok"] and len(data["scenarios"]) == 2 and data["kitchens"]


def test_cli_compare_end_to_end(tmp_path: Path) -> None:
    """racines compare on a folder and its variant prints each kitchen's local share."""
    ov = tmp_path / "no_nyons_round.toml"
    ov.write_text(NO_NYONS_ROUND, encoding="utf-8")
    out = tmp_path / "out"
    args = ["compare", str(TWO), f"{TWO}+{ov}", "--out", str(out), "--weeks", "1"]
    res = runner.invoke(cli, [*args, "--time-limit-s", "5", "--kitchens", "cc-*"])
    assert res.exit_code == 0, res.output
    assert "Local share of each kitchen" in res.output
    assert "cc-nyons" in res.output and "ecole-buis" not in res.output
    assert (out / "compare.xlsx").is_file()


def test_cli_compare_errors(tmp_path: Path) -> None:
    """One scenario, a missing override and a broken one are clear errors, no traceback."""
    res = runner.invoke(cli, ["compare", str(TWO)])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["compare", str(TWO), f"{TWO}+missing.toml"])
    assert res.exit_code == 1 and "override file not found" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[set.canteens]]\nwhere = { id = "nobody" }\nmeals_adulte = 2\n')
    res = runner.invoke(cli, ["compare", str(TWO), f"{TWO}+{bad}"])
    assert res.exit_code == 1 and "matches no row" in res.output


def test_override_alone_names_its_base(tmp_path: Path) -> None:
    """An override file given alone is applied on its `base` folder."""
    ov = tmp_path / "alone.toml"
    ov.write_text(f'base = "{TINY}"\n[settings]\nhorizon_weeks = 3\n', encoding="utf-8")
    assert services.split_scenario_spec(ov) == (TINY, (ov,))
    assert services.load_scenario(ov).settings.horizon_weeks == 3
    ov.write_text("[settings]\nhorizon_weeks = 3\n", encoding="utf-8")
    res = runner.invoke(cli, ["validate", str(ov)])
    assert res.exit_code == 1 and "base" in res.output


def test_cli_contracts_end_to_end(tmp_path: Path) -> None:
    """racines contracts on a short horizon writes the files and counts the kitchens with a
    market gardener."""
    out = tmp_path / "contracts"
    args = ["contracts", str(TWO), "--out", str(out), "--weeks", "2", "--time-limit-s", "5"]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "kitchens with a contract with a market gardener" in res.output
    assert (out / "contracts.csv").is_file() and (out / "contracts.xlsx").is_file()
    assert any((out / "producers").glob("*.md"))
