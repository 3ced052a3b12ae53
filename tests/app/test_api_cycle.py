"""The weekly cycle's routes on the real services (tiny scenario): a week's orders and a
re-plan, answered and checked, and every bad input a 422 naming its field."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

WEEK = "2025-09-08"


@pytest.fixture
def real(make_settings: Callable[..., Settings]) -> Iterator[TestClient]:
    """A client of the app on the production services."""
    with TestClient(create_app(make_settings())) as c:
        yield c


def _wait(client: TestClient, job_id: str, timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def _week(**extra: Any) -> dict[str, Any]:
    return {"scenario_name": "tiny", "week": WEEK, "time_limit_s": 5, **extra}


def _fields(r: Any) -> list[str]:
    return [d["field"] for d in r.json()["detail"]]


def test_week_keeps_the_fixed_order_and_the_availability(real: TestClient) -> None:
    """A week with an availability row and an order already sent: answered at once, the
    order kept, at most the kg listed bought at the listed price, every checker ok; the
    orders per kitchen are an export."""
    body = _week(
        availability=[
            {
                "producer_id": "ferme-buech",
                "product_id": "carotte",
                "week": WEEK,
                "kg_available": 30,
                "price_eur_per_unit": 1.5,
            }
        ],
        fixed_orders=[
            {
                "kitchen_id": "sisteron-cc",
                "producer_id": "laiterie-mison",
                "product_id": "yaourt",
                "kg": 12,
            }
        ],  # fmt: skip
    )
    r = real.post("/v1/weeks", json=body)
    assert r.status_code == 200, r.text
    job = r.json()
    result = job["result"]
    assert result["ok"] is True and result["week"]["week_check"]["ok"] is True
    lines = {(ln["supplier_id"], ln["product_id"]): ln for ln in result["purchase_plan"]}
    assert lines[("laiterie-mison", "yaourt")]["quantity_kg"] == pytest.approx(12.0)
    carrots = lines.get(("ferme-buech", "carotte"))
    assert carrots is None or (
        carrots["quantity_kg"] <= 30 + 1e-6 and carrots["unit_price_eur"] == pytest.approx(1.5)
    )
    assert {o["kitchen_id"] for o in result["orders"]} == {"sisteron-cc"}
    csv = real.get(job["links"]["orders_by_kitchen.csv"])
    assert csv.status_code == 200 and csv.text.startswith("kitchen_id,")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"week": "2025-09-09"}, "week"),
        ({"fixed_orders": [{"kitchen_id": "sisteron-cc", "producer_id": "laiterie-mison",
                            "product_id": "yaourt", "kg": -1}]}, "fixed_orders[0].kg"),
        ({"fixed_orders": [{"kitchen_id": "sisteron-cc", "producer_id": "laiterie-mison",
                            "product_id": "yaourt", "kg": 1000}]}, "fixed_orders[0].kg"),
        ({"fixed_orders": [{"kitchen_id": "ribiers", "producer_id": "laiterie-mison",
                            "product_id": "yaourt", "kg": 12}]}, "fixed_orders[0].kitchen_id"),
        ({"availability": [{"producer_id": "nobody", "product_id": "carotte", "week": WEEK,
                            "kg_available": 3}]}, "availability[0].producer_id"),
        ({"availability": [{"producer_id": "ferme-buech", "product_id": "carotte",
                            "week": WEEK, "kg_available": "lots"}]},
         "availability[0].kg_available"),
        ({"supplier_order_cost_eur": -5}, "supplier_order_cost_eur"),
        ({"availability": [{}] * 5001}, "availability"),
    ],
)  # fmt: skip
def test_week_bad_inputs_name_their_field(
    real: TestClient, extra: dict[str, Any], field: str
) -> None:
    """Not a Monday, a negative kg, an order over the week's need, a satellite ordering,
    an unknown producer, a kg that is not a number, a negative cost, too many rows: 422,
    the field named."""
    r = real.post("/v1/weeks", json=_week(**extra))
    assert r.status_code == 422, r.text
    assert field in _fields(r), r.text


def _plan_job(client: TestClient) -> str:
    r = client.post("/v1/plans", json={"scenario_name": "tiny", "time_limit_s": 5})
    assert r.status_code == 202, r.text
    job = _wait(client, r.json()["id"])
    assert job["status"] == "succeeded", job
    return str(job["id"])


SHORTFALL = {"producer_id": "ferme-buech", "product_id": "*", "from_week": WEEK, "loss_pct": 100}


def test_replan_of_a_plan_job_lists_changes_and_who_to_tell(real: TestClient) -> None:
    """The farm of the carrots drops out from the second week: the re-plan keeps the first
    week, buys no carrot from it afterwards, lists its changed lines and who to tell, and
    passes the plan's and re-plan's checkers; the same plan given inline gives the same
    changes."""
    plan_id = _plan_job(real)
    body = {"plan_job_id": plan_id, "shortfalls": [SHORTFALL], "time_limit_s": 5}
    r = real.post("/v1/replans", json=body)
    assert r.status_code == 200, r.text
    job = r.json()
    result = job["result"]
    assert result["ok"] is True, result["replan"]
    assert result["replan"]["replan_check"]["ok"] is True
    after = [ln for ln in result["purchase_plan"] if ln["week_start"] >= WEEK]
    assert not [ln for ln in after if ln["supplier_id"] == "ferme-buech"]
    changes = result["changes"]
    assert changes and len(changes) == result["replan"]["changed_lines"]
    assert {"ferme-buech", "grossiste"} <= {c["supplier_id"] for c in changes}
    assert all(c["week_start"] >= WEEK for c in changes)
    told = {p["producer_id"] for p in result["notify_producers"]}
    assert {c["supplier_id"] for c in changes} == told
    assert real.get(job["links"]["changes.csv"]).status_code == 200
    previous = real.get(f"/v1/jobs/{plan_id}").json()["result"]
    inline = {
        "scenario_name": "tiny",
        "plan": {"weeks": previous["weeks"], "lines": previous["purchase_plan"]},
        "shortfalls": [SHORTFALL],
        "time_limit_s": 5,
    }
    again = real.post("/v1/replans", json=inline)
    assert again.status_code == 200, again.text
    assert again.json()["result"]["changes"] == changes


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan_job_id": "0" * 32, "shortfalls": [SHORTFALL]}, "plan_job_id"),
        ({"shortfalls": [SHORTFALL]}, "body"),
        ({"plan": {"weeks": [WEEK], "lines": [{"week_start": WEEK}]}, "shortfalls": [SHORTFALL]},
         "plan.lines[0].kitchen_id"),
        ({"plan": {"weeks": [WEEK], "lines": []},
          "shortfalls": [{**SHORTFALL, "producer_id": "nobody"}]}, "shortfalls[0].producer_id"),
        ({"plan": {"weeks": [WEEK], "lines": []}, "shortfalls": [{**SHORTFALL, "loss_pct": 150}]},
         "shortfalls[0].loss_pct"),
        ({"plan": {"weeks": [WEEK], "lines": []}, "shortfalls": []}, "shortfalls"),
    ],
)  # fmt: skip
def test_replan_bad_inputs_name_their_field(
    real: TestClient, body: dict[str, Any], field: str
) -> None:
    """An unknown plan job, no plan, a bad plan line, an unknown producer, a loss over
    100 %, no shortfall: 422, the field named."""
    r = real.post("/v1/replans", json={"scenario_name": "tiny", **body} if "plan" in body else body)
    assert r.status_code == 422, r.text
    assert any(f.startswith(field) for f in _fields(r)), r.text
