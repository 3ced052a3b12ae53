"""Pooling on the demo territory: the worked example, the CLI and its files, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import services
from app.cli import cli
from solver.core import ScenarioError
from solver.pooling import apply_relaxation, check_pooling_order

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "baronnies"
GROUP = DEMO / "pooling" / "group_laragne.csv"
ORDER = DEMO / "pooling" / "order_sisteron_carottes.toml"


@pytest.fixture(scope="module")
def outcome() -> services.PoolingOutcome:
    """The worked example, answered once with a short engine budget."""
    return services.pooling_check(GROUP, ORDER, DEMO, time_limit_s=0.5)


def test_worked_example_verdict(outcome: services.PoolingOutcome) -> None:
    """Carrots are out of season from the week of 30 March: 12 weeks short, 920 kg, checked."""
    a = outcome.answer
    assert not a.feasible and a.binding_reason == "OUT_OF_SEASON"
    short = [w.week_start for w in a.weeks if not w.feasible]
    assert short[0] == dt.date(2026, 3, 30) and short[-1] == dt.date(2026, 6, 29)
    assert len(short) == 12
    # every short week: the whole demand (2 deliveries x 40 kg, 1 in the week of Ascension)
    assert sum(s.short_kg for s in a.shortfalls) == pytest.approx(920)
    # Sept-March: 47 delivery days x 40 kg all supplied by the five members
    assert a.kg_delivered == pytest.approx(47 * 40)
    assert set(a.revenue_eur_by_member) <= set(outcome.inputs.member_ids)
    assert sum(a.revenue_eur_by_member.values()) > 0
    assert a.check is not None and a.check.ok, a.check


def test_worked_example_relaxation_applies(outcome: services.PoolingOutcome) -> None:
    """The extra-capacity relaxation (920 units in the 12 weeks) makes the order feasible."""
    r = next(x for x in outcome.answer.relaxations if x.kind == "EXTRA_CAPACITY")
    assert r.value == pytest.approx(920) and r.closes_gap
    fixed = check_pooling_order(apply_relaxation(outcome.inputs, r), time_limit_s=0.5)
    assert fixed.feasible and fixed.check.ok


def test_cli_pool_writes_files(tmp_path: Path) -> None:
    """``racines pool`` prints the verdict and writes pooling.json, allocation.csv and the map."""
    res = CliRunner().invoke(
        cli,
        [
            "pool",
            str(GROUP),
            str(ORDER),
            str(DEMO),
            "--out",
            str(tmp_path),
            "--time-limit-s",
            "0.3",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "INFEASIBLE" in res.output and "OUT_OF_SEASON" in res.output
    for name in ("pooling.json", "allocation.csv", "weeks.csv", "routes.geojson", "map.html"):
        assert (tmp_path / name).exists(), name
    data = json.loads((tmp_path / "pooling.json").read_text())
    assert data["binding_reason"] == "OUT_OF_SEASON" and data["check"]["ok"]
    assert data["synthetic"] is True


def test_cli_pool_bad_order_names_field(tmp_path: Path) -> None:
    """A collector outside the group is a clear error naming the field, exit code 1."""
    bad = tmp_path / "order.toml"
    bad.write_text(ORDER.read_text().replace('collector = "sb_p002"', 'collector = "sb_p001"'))
    res = CliRunner().invoke(cli, ["pool", str(GROUP), str(bad), str(DEMO), "--out", str(tmp_path)])
    assert res.exit_code == 1
    with pytest.raises(ScenarioError) as exc:
        services.pooling_check(GROUP, bad, DEMO)
    (p,) = exc.value.problems
    assert (p.column, p.value) == ("transport.collector", "sb_p001")
