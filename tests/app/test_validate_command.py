"""``racines validate``: summary, problem table and exit codes (0 valid, 1 invalid, 2 missing)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli
from solver.core import Scenario
from solver.scenario import scenario_to_json

runner = CliRunner()


def test_valid_scenario_exits_0_with_summary(tiny_scenario_dir: Path) -> None:
    """A valid folder prints its counts and 'valid', exit code 0."""
    result = runner.invoke(cli, ["validate", str(tiny_scenario_dir)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "invalid" not in result.output
    assert "meals per service day" in result.output
    assert "463" in result.output  # 100 + 300 + 20 + 15 + 25 + 3
    assert "1 / 1" in result.output  # platforms / vans


def test_invalid_scenario_exits_1_with_every_problem(tiny_copy: Path) -> None:
    """Two problems in two files are both listed with file, row, column and value."""
    path = tiny_copy / "producers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("BIO;FERMIER", "BIOO"))
    path = tiny_copy / "menu.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Navarin d'agneau,agneau", "Navarin,mouton")
    )
    result = runner.invoke(cli, ["validate", str(tiny_copy)], env={"COLUMNS": "250"})
    assert result.exit_code == 1, result.output
    out = result.output
    assert "2 problem(s)" in out
    assert "producers.csv" in out and "labels" in out and "BIOO" in out
    assert "menu.csv" in out and "product_id" in out and "mouton" in out
    assert "Traceback" not in out


def test_missing_scenario_exits_2(tmp_path: Path) -> None:
    """A folder that does not exist exits with code 2 and says so."""
    result = runner.invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "not found" in result.output


def test_broken_bytes_never_give_a_traceback(tiny_copy: Path) -> None:
    """Garbage bytes in every file give problems and exit 1, never a traceback."""
    for f in tiny_copy.iterdir():
        f.write_bytes(b"\xff\xfe\x00garbage;;\n\x81,\n")
    result = runner.invoke(cli, ["validate", str(tiny_copy)], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "not UTF-8" in result.output


def test_json_file_is_accepted(tiny_scenario: Scenario, tmp_path: Path) -> None:
    """A scenario JSON file validates like its folder."""
    path = tmp_path / "tiny.json"
    path.write_text(scenario_to_json(tiny_scenario), encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
