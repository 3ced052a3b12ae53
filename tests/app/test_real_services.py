"""The API on the real services (tiny scenario): proposal, infeasible answer, plan job."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from solver.reporting import MACANTINE_HEADER, validate_macantine_csv


@pytest.fixture
def real(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """A client of the app on the production services."""
    with TestClient(create_app(make_settings())) as c:
        yield c


def _wait(client: TestClient, job_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_real_proposal_answers_with_plan_check_and_csv(real: TestClient) -> None:
    """A one-week proposal for a satellite buys for its kitchen, is checked, exports CSV."""
    body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1, "time_limit_s": 5}
    r = real.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 200, r.text
    job = r.json()
    result = job["result"]
    assert result["status"] in ("OPTIMAL", "FEASIBLE")
    assert result["kitchens"] == ["sisteron-cc"]
    assert result["purchase_plan"], "a plan with lines"
    assert {ln["kitchen_id"] for ln in result["purchase_plan"]} == {"sisteron-cc"}
    assert "violations" in result["check"]
    csv = real.get(job["links"]["purchase_plan.csv"])
    assert csv.status_code == 200
    header = csv.text.splitlines()[0].split(",")
    assert header[:3] == ["week_start", "delivery_date", "kitchen_id"]
    assert len(csv.text.splitlines()) == len(result["purchase_plan"]) + 1


def test_real_infeasible_hard_target_is_200_with_explanation(real: TestClient) -> None:
    """A hard 100 % organic target that cannot be met is a 200 answer naming the target."""
    scenario = real.get("/v1/scenarios/tiny").json()
    scenario["settings"]["target_mode"] = "hard"
    scenario["canteens"][0]["target_bio_pct"] = 100
    body = {"scenario": scenario, "canteen_id": "sisteron-cc", "weeks": 1, "time_limit_s": 5}
    r = real.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 200, r.text
    result = r.json()["result"]
    assert result["status"] == "INFEASIBLE"
    why = result["hard_infeasibility"]
    assert why["target"] == "bio"
    assert why["required"] == 100.0
    assert 0 <= why["achieved"] < 100.0
    assert "bio" in why["cheapest_relaxation"]


def test_real_plan_job_with_workbook(real: TestClient) -> None:
    """A territory plan runs as a job and serves its XLSX workbook."""
    r = real.post("/v1/plans", json={"scenario_name": "tiny", "time_limit_s": 5})
    assert r.status_code == 202, r.text
    done = _wait(real, r.json()["id"])
    assert done["status"] == "succeeded", done
    assert set(done["result"]["kitchens"]) == {"sisteron-cc"}
    xlsx = real.get(done["links"]["purchase_plan.xlsx"])
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"  # a zip container, as every .xlsx
    assert "attachment" in xlsx.headers["content-disposition"]


def test_real_weeks_outside_calendar_is_422(real: TestClient) -> None:
    """A scenario starting in a school year the calendar does not know is a 422, not a 500."""
    scenario = real.get("/v1/scenarios/tiny").json()
    scenario["settings"]["start_date"] = "2031-09-01"
    body = {"scenario": scenario, "canteen_id": "ribiers", "weeks": 2, "time_limit_s": 2}
    r = real.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 422, r.text
    item = r.json()["detail"][0]
    assert item["field"] == "scenario.settings.start_date"
    assert "2031-09-01" in item["message"]


def test_real_exports_state_their_provenance(real: TestClient, tmp_path: Path) -> None:
    """Every export says synthetic / estimated; the ma-cantine file stays importable."""
    body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1, "time_limit_s": 5}
    job = real.post("/v1/sourcing-proposals", json=body).json()
    plan = real.get(job["links"]["purchase_plan.csv"])
    header = plan.text.splitlines()[0].split(",")
    assert header[-1] == "provenance"
    rows = plan.text.splitlines()[1:]
    assert rows and all("SYNTHETIC" in r and "ESTIMATED" in r for r in rows)
    for name in ("purchase_plan.csv", "macantine_achats.csv", "macantine_achats.provenance.txt"):
        r = real.get(job["links"][name])
        assert r.status_code == 200, name
        assert "SYNTHETIC" in r.headers["x-racines-provenance"], name
    macantine = real.get(job["links"]["macantine_achats.csv"])
    assert macantine.text.splitlines()[0].split(",") == MACANTINE_HEADER
    path = tmp_path / "macantine_achats.csv"
    path.write_bytes(macantine.content)
    problems = validate_macantine_csv(path)
    assert [p for p in problems if not p.endswith("no data row")] == []  # tiny: no SIRET
    note = real.get(job["links"]["macantine_achats.provenance.txt"]).text
    assert "SYNTHETIC" in note and "ESTIMATED" in note
