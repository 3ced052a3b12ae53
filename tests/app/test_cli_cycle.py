"""``racines week`` and ``racines replan`` end to end on the demo territory (short time
limits), and their located errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from app.cli import cli

runner = CliRunner()
WEEK = "2025-09-15"


def _csv(path: Path, rows: list[dict[str, object]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        w.writeheader()
        w.writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_week_on_the_demo(tmp_path: Path) -> None:
    """A week of the demo with an availability list (a ``;`` CSV with a decimal comma) and
    an order already sent (an XLSX sheet): the order is kept, the carrots listed are
    bought at most as listed, platform orders are due Thursday noon before the Tuesday
    round, and every checker passes."""
    avail = _csv(
        tmp_path / "mercuriale.csv",
        [{"producer_id": "sb_p013", "product_id": "carotte", "week": WEEK,
          "kg_available": "2,5", "price_eur_per_unit": "1,5"}],
        delimiter=";",
    )  # fmt: skip
    fixed = _xlsx(
        tmp_path / "sent.xlsx",
        [["kitchen_id", "producer_id", "product_id", "kg"],
         ["dr_buis_cuisine", "dr_p067", "fromage_vache", 3.0]],
    )  # fmt: skip
    out = tmp_path / "week"
    args = ["week", "--week", WEEK, "--availability", str(avail), "--fixed", str(fixed)]
    result = runner.invoke(cli, [*args, "--out", str(out), "--time-limit-s", "5", "--no-rounds"])
    assert result.exit_code == 0, result.output
    week = json.loads((out / "week.json").read_text(encoding="utf-8"))
    assert week["week_check"]["ok"] is True and week["fixed_orders"] == 1
    orders = pd.read_csv(out / "orders_by_kitchen.csv", keep_default_na=False)
    sent = orders[orders["already_ordered"]]
    assert list(zip(sent["supplier_id"], sent["product_id"], strict=True)) == [
        ("dr_p067", "fromage_vache")
    ]
    assert float(sent["quantity_kg"].sum()) == 3.0
    carrots = orders[(orders["supplier_id"] == "sb_p013") & (orders["product_id"] == "carotte")]
    assert float(carrots["quantity_kg"].sum()) <= 2.5 + 1e-6
    platform = orders[orders["channel"] == "platform"]
    assert not platform.empty
    assert set(platform["order_by_date"]) == {"2025-09-11"}
    assert set(platform["order_by_time"]) == {"12:00"}
    assert (out / "prepare_by_producer.csv").is_file()
    check = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert check["ok"] is True


def test_week_bad_files_are_located(tmp_path: Path) -> None:
    """A cell that is not a number and an unknown producer: exit 1, each problem named by
    file, row and column, no traceback."""
    avail = _csv(
        tmp_path / "mercuriale.csv",
        [{"producer_id": "sb_p013", "product_id": "carotte", "week": WEEK, "kg_available": "x"},
         {"producer_id": "nobody", "product_id": "carotte", "week": WEEK, "kg_available": "3"}],
    )  # fmt: skip
    result = runner.invoke(cli, ["week", "--week", WEEK, "--availability", str(avail)])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "mercuriale.csv" in text and "kg_available" in text and "producer_id" in text
    assert "Traceback" not in result.output


def test_plan_then_replan_on_the_demo(tmp_path: Path) -> None:
    """A 3-week demo plan, then its largest local supplier of the last two weeks drops
    out: the re-plan reads the plan folder, keeps the first week, lists its changes and
    who to tell, and passes every checker; its own folder can be re-planned again."""
    plan = tmp_path / "plan"
    args = ["plan", "--weeks", "3", "--time-limit-s", "10", "--no-rounds", "--out", str(plan)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    record = summary["plan_folder"]
    assert record["scenario_file"] == "scenario.json" and (plan / "scenario.json").is_file()
    assert record["n_weeks"] == 3 and "regularity" in summary
    lines = pd.read_csv(plan / "purchase_plan.csv")
    later = lines[(lines["week_start"] > "2025-09-01") & (lines["channel"] != "reference")]
    biggest = str(later.groupby("supplier_id")["quantity_kg"].sum().idxmax())
    shortfall = _csv(
        tmp_path / "loss.csv",
        [{"producer_id": biggest, "product_id": "*", "from_week": "2025-09-08", "loss_pct": 100}],
    )
    out = tmp_path / "replan"
    args = ["replan", str(plan), "--shortfall", str(shortfall), "--out", str(out)]
    result = runner.invoke(cli, [*args, "--time-limit-s", "10", "--no-rounds"])
    assert result.exit_code == 0, result.output
    replan = json.loads((out / "replan.json").read_text(encoding="utf-8"))
    assert replan["ok"] is True and replan["changed_lines"] > 0
    changes = pd.read_csv(out / "changes.csv")
    assert len(changes) == replan["changed_lines"]
    assert (changes["week_start"] >= "2025-09-08").all()
    gone = changes[changes["supplier_id"] == biggest]
    assert (gone["kg_after"] == 0).all() and not gone.empty
    told = pd.read_csv(out / "notify_producers.csv")
    assert biggest in set(told["producer_id"])
    first = lines[lines["week_start"] == "2025-09-01"]
    kept = pd.read_csv(out / "purchase_plan.csv")
    kept = kept[kept["week_start"] == "2025-09-01"]
    assert len(first) == len(kept)
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["plan_folder"][
        "revises"
    ] == str(plan.resolve())


def test_replan_of_a_folder_without_summary_is_a_clear_error(tmp_path: Path) -> None:
    """A folder that is not a plan folder: exit 1 naming what is missing."""
    loss = _csv(
        tmp_path / "loss.csv",
        [{"producer_id": "sb_p013", "product_id": "*", "from_week": WEEK, "loss_pct": 100}],
    )
    result = runner.invoke(cli, ["replan", str(tmp_path), "--shortfall", str(loss)])
    assert result.exit_code == 1
    assert "summary.json" in " ".join(result.output.split())
