"""Health, bundled scenarios, synchronous proposals and the error format."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _proposal(**extra: Any) -> dict[str, Any]:
    return {"scenario_name": "tiny", "canteen_id": "sisteron-cc", "weeks": 2, **extra}


def test_healthz_answers(client: TestClient) -> None:
    """/healthz says ok and how many jobs run."""
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["jobs_running"] == 0


def test_scenarios_listed_and_served(client: TestClient) -> None:
    """The bundled scenarios are listed with their size and served as scenario JSON."""
    r = client.get("/v1/scenarios")
    assert r.status_code == 200
    assert r.json() == [
        {
            "name": "tiny",
            "description": r.json()[0]["description"],
            "canteens": 2,
            "producers": 3,
            "synthetic": True,
            "link": "/v1/scenarios/tiny",
        }
    ]
    one = client.get("/v1/scenarios/tiny").json()
    assert [c["id"] for c in one["canteens"]] == ["sisteron-cc", "ribiers"]
    assert one["settings"]["name"] == "tiny"


def test_unknown_scenario_is_404_naming_it(client: TestClient) -> None:
    """An unknown scenario name is a 404 whose message names it and lists the known ones."""
    r = client.get("/v1/scenarios/atlantis")
    assert r.status_code == 404
    item = r.json()["detail"][0]
    assert item["field"] == "name"
    assert item["value"] == "atlantis"
    assert "'atlantis'" in item["message"] and "tiny" in item["message"]


def test_scenario_name_cannot_walk_out(client: TestClient) -> None:
    """A name with dots is refused by validation (never a path outside scenarios/)."""
    r = client.get("/v1/scenarios/..%2Fetc")
    assert r.status_code in (404, 422)
    r = client.get("/v1/scenarios/tiny.bak")
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "name"


def test_small_proposal_answers_at_once(client: TestClient) -> None:
    """A short horizon is solved synchronously: 200, succeeded, result and export links."""
    r = client.post("/v1/sourcing-proposals", json=_proposal())
    assert r.status_code == 200, r.text
    job = r.json()
    assert job["status"] == "succeeded"
    assert job["kind"] == "proposal"
    assert job["result"]["canteen_id"] == "sisteron-cc"
    assert job["result"]["meals_per_day"] == 420
    assert job["result"]["weeks"] == 2
    assert job["links"]["purchase_plan.csv"].endswith("/purchase_plan.csv")
    csv = client.get(job["links"]["purchase_plan.csv"])
    assert csv.status_code == 200
    assert csv.text == "purchase_plan.csv,sisteron-cc\n"
    assert csv.headers["content-type"].startswith("text/csv")
    again = client.get(job["links"]["self"]).json()
    assert again["result"] == job["result"]


def test_sync_time_limit_is_capped_by_the_server(client: TestClient) -> None:
    """A synchronous solve never gets more than the server's synchronous time limit."""
    r = client.post("/v1/sourcing-proposals", json=_proposal(time_limit_s=3000))
    assert r.status_code == 200
    assert r.json()["result"]["time_limit_s"] == 10.0


def test_bad_field_names_field_and_value(client: TestClient) -> None:
    """weeks=0 is a 422 naming the field and the value."""
    r = client.post("/v1/sourcing-proposals", json=_proposal(weeks=0))
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["body", "weeks"]
    assert item["field"] == "weeks"
    assert item["value"] == 0
    assert item["message"].startswith("weeks: ")
    assert "(got 0)" in item["message"]


def test_missing_field_is_named(client: TestClient) -> None:
    """A missing canteen_id is a 422 naming canteen_id."""
    r = client.post("/v1/sourcing-proposals", json={"scenario_name": "tiny"})
    assert r.status_code == 422
    assert [i["field"] for i in r.json()["detail"]] == ["canteen_id"]


def test_malformed_json_is_422(client: TestClient) -> None:
    """A body that is not JSON is a 422, not a 500."""
    r = client.post(
        "/v1/sourcing-proposals",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][0] == "body"


def test_unknown_canteen_is_422_listing_canteens(client: TestClient) -> None:
    """A canteen the scenario lacks is a 422 on canteen_id listing the known canteens."""
    r = client.post("/v1/sourcing-proposals", json=_proposal(canteen_id="nowhere"))
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["field"] == "canteen_id"
    assert item["value"] == "nowhere"
    assert "sisteron-cc" in item["message"]


def test_unknown_scenario_name_in_body_is_422(client: TestClient) -> None:
    """An unknown scenario_name in a request body is a 422 naming scenario_name."""
    r = client.post("/v1/sourcing-proposals", json=_proposal(scenario_name="atlantis"))
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "scenario_name"


def test_both_scenario_sources_refused(client: TestClient) -> None:
    """scenario_name and scenario together are refused."""
    r = client.post("/v1/sourcing-proposals", json=_proposal(scenario={}))
    assert r.status_code == 422
    assert "not both" in r.json()["detail"][0]["message"]


def test_inline_scenario_error_located(client: TestClient) -> None:
    """A bad value inside an inline scenario is located as scenario.canteens[i].lat."""
    scenario = client.get("/v1/scenarios/tiny").json()
    scenario["canteens"][1]["lat"] = 95.0
    body = {"scenario": scenario, "canteen_id": "sisteron-cc", "weeks": 2}
    r = client.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 422
    items = r.json()["detail"]
    assert items[0]["field"] == "scenario.canteens[1].lat"
    assert items[0]["value"] == 95.0


def test_inline_scenario_cross_reference_problem(client: TestClient) -> None:
    """An inline offer naming an unknown producer is a 422 listing that problem."""
    scenario = client.get("/v1/scenarios/tiny").json()
    scenario["offers"][0]["producer_id"] = "ghost-farm"
    body = {"scenario": scenario, "canteen_id": "sisteron-cc", "weeks": 2}
    r = client.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 422
    items = r.json()["detail"]
    hit = [i for i in items if i["value"] == "ghost-farm"]
    assert hit, items
    assert hit[0]["loc"] == ["body", "scenario", "offers", 0, "producer_id"]
    assert hit[0]["field"] == "scenario.offers[0].producer_id"


def test_inline_scenario_solved(client: TestClient) -> None:
    """A valid inline scenario is solved like a bundled one."""
    scenario = client.get("/v1/scenarios/tiny").json()
    body = {"scenario": scenario, "canteen_id": "ribiers", "weeks": 1}
    r = client.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["result"]["canteen_name"] == "École de Ribiers"


def test_unknown_route_and_method(client: TestClient) -> None:
    """Unknown paths and methods keep the error shape."""
    r = client.get("/v1/nothing")
    assert r.status_code == 404
    assert r.json()["detail"][0]["message"]
    r = client.put("/healthz")
    assert r.status_code == 405
    assert r.json()["detail"][0]["message"]
