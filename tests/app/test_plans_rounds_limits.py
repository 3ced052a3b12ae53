"""Whole-territory plans (JSON and zip), rounds, and the size limits."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api_fakes import FakeServices
from fastapi.testclient import TestClient

from app.config import Settings
from app.examples import rounds_problem_example
from app.main import create_app


def _wait(client: TestClient, job_id: str, timeout_s: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.02)


def _zip_of(folder: Path, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, prefix + p.name)
    return buf.getvalue()


def test_plan_json_is_always_a_job(client: TestClient) -> None:
    """POST /v1/plans with a scenario name answers 202 and the job succeeds."""
    r = client.post("/v1/plans", json={"scenario_name": "tiny", "time_limit_s": 5})
    assert r.status_code == 202, r.text
    done = _wait(client, r.json()["id"])
    assert done["status"] == "succeeded"
    assert done["kind"] == "plan"
    assert done["result"] == {"canteens": 2, "status": "feasible"}


def test_plan_zip_upload(client: TestClient, tiny_scenario_dir: Path) -> None:
    """A zip of a scenario folder (even nested in a folder) is read and planned."""
    data = _zip_of(tiny_scenario_dir, prefix="tiny/")
    r = client.post(
        "/v1/plans",
        files={"file": ("tiny.zip", data, "application/zip")},
        data={"time_limit_s": "3"},
    )
    assert r.status_code == 202, r.text
    done = _wait(client, r.json()["id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["canteens"] == 2


def test_plan_zip_with_bad_row_names_file_row_column(client: TestClient, tiny_copy: Path) -> None:
    """A broken CSV inside the zip is a 422 naming file, row, column and value."""
    path = tiny_copy / "producers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("44.195", "not-a-lat")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = client.post("/v1/plans", files={"file": ("s.zip", _zip_of(tiny_copy), "application/zip")})
    assert r.status_code == 422, r.text
    items = r.json()["detail"]
    hit = [i for i in items if i.get("file") == "producers.csv"]
    assert hit, items
    assert hit[0]["row"] == 3
    assert hit[0]["column"] == "lat"
    assert hit[0]["value"] == "not-a-lat"
    assert hit[0]["loc"] == ["body", "file", "producers.csv", 3, "lat"]
    assert hit[0]["field"] == "producers.csv, row 3, column lat"


def test_plan_upload_not_a_zip(client: TestClient) -> None:
    """An upload that is not a zip is a 422 on field file."""
    r = client.post("/v1/plans", files={"file": ("x.zip", b"hello", "application/zip")})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "file"
    assert "not a zip" in r.json()["detail"][0]["message"]


def test_plan_zip_path_traversal_refused(client: TestClient) -> None:
    """A zip entry walking out of its folder is refused."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../evil.csv", "x")
    r = client.post("/v1/plans", files={"file": ("x.zip", buf.getvalue(), "application/zip")})
    assert r.status_code == 422
    assert "unsafe path" in r.json()["detail"][0]["message"]


def test_plan_other_content_type_is_415(client: TestClient) -> None:
    """A body that is neither JSON nor multipart is a 415 naming the content type."""
    r = client.post("/v1/plans", content=b"a,b", headers={"content-type": "text/csv"})
    assert r.status_code == 415
    assert r.json()["detail"][0]["value"] == "text/csv"


def test_plan_json_bad_field(client: TestClient) -> None:
    """A bad field of the plan JSON is located like everywhere else."""
    r = client.post("/v1/plans", json={"scenario_name": "tiny", "seed": -1})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "seed"


def test_rounds_sync_with_fake(client: TestClient) -> None:
    """A small rounds problem answers at once."""
    r = client.post("/v1/rounds", json={"problem": rounds_problem_example(), "time_limit_s": 1})
    assert r.status_code == 200, r.text
    assert r.json()["result"] == {"orders": 4, "mode": "direct"}


def test_rounds_reference_errors_located(client: TestClient) -> None:
    """A shipment naming an unknown site is a 422 naming it; a ragged matrix too."""
    problem = rounds_problem_example()
    bad = {**problem, "shipments": [{**problem["shipments"][0], "pickup": {"site": "nowhere"}}]}
    r = client.post("/v1/rounds", json={"problem": bad})
    assert r.status_code == 422
    assert "'nowhere'" in r.json()["detail"][0]["message"]
    durations = [row[:-1] for row in problem["matrices"]["car"]["durations"]]
    bad = {**problem, "matrices": {"car": {**problem["matrices"]["car"], "durations": durations}}}
    r = client.post("/v1/rounds", json={"problem": bad})
    assert r.status_code == 422
    assert "matrices.car.durations" in r.json()["detail"][0]["message"]


def test_rounds_real_solver(make_settings: Callable[..., Settings]) -> None:
    """With the real services, the example rounds are solved: routes, GeoJSON, map export."""
    with TestClient(create_app(make_settings())) as client:
        r = client.post(
            "/v1/rounds", json={"problem": rounds_problem_example(), "time_limit_s": 0.5}
        )
        assert r.status_code == 200, r.text
        job = r.json()
        result = job["result"]
        delivered = {
            o
            for rt in result["routes"]
            for s in rt["steps"]
            if s["type"] == "delivery"
            for o in s["orders"]
        }
        left = {u["id"] for u in result["unassigned"]}
        assert delivered | left == {"order-1", "order-2", "order-3", "order-4"}
        assert result["summary"]["orders_served"] == len(delivered)
        assert result["geojson"]["type"] == "FeatureCollection"
        geo = client.get(job["links"]["routes.geojson"])
        assert geo.status_code == 200
        assert geo.json()["type"] == "FeatureCollection"
        html = client.get(job["links"]["map"])
        assert html.status_code == 200
        assert "<html" in html.text.lower()


def test_body_over_limit_is_413(make_settings: Callable[..., Settings]) -> None:
    """A body over max_body_bytes is a 413 naming the limit and its setting."""
    app = create_app(make_settings(max_body_bytes=2_000), services=FakeServices())
    with TestClient(app) as client:
        big = {"scenario_name": "tiny", "canteen_id": "x" * 10, "pad": "y" * 5_000}
        r = client.post("/v1/sourcing-proposals", json=big)
        assert r.status_code == 413
        item = r.json()["detail"][0]
        assert item["field"] == "body"
        assert "2000 bytes" in item["message"] and "RACINES_MAX_BODY_BYTES" in item["message"]


def test_count_limits_name_the_limit(make_settings: Callable[..., Settings]) -> None:
    """Weeks, canteens and stops over their limits are 422 naming limit and setting."""
    settings = make_settings(max_weeks=3, max_canteens=1, max_stops=4)
    with TestClient(create_app(settings, services=FakeServices())) as client:
        r = client.post(
            "/v1/sourcing-proposals",
            json={"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 5},
        )
        assert r.status_code == 422
        item = r.json()["detail"][0]
        assert item["field"] == "weeks" and item["value"] == 5
        assert "limit of 3" in item["message"] and "RACINES_MAX_WEEKS" in item["message"]
        r = client.post("/v1/plans", json={"scenario_name": "tiny"})
        assert r.status_code == 422
        item = r.json()["detail"][0]
        assert item["field"] == "scenario.canteens" and item["value"] == 2
        assert "limit of 1" in item["message"]
        r = client.post("/v1/rounds", json={"problem": rounds_problem_example()})
        assert r.status_code == 422
        item = r.json()["detail"][0]
        assert item["field"] == "problem.shipments" and item["value"] == 8
        assert "RACINES_MAX_STOPS" in item["message"]


def test_chunked_body_over_limit_is_413(make_settings: Callable[..., Settings]) -> None:
    """A body sent without Content-Length is counted as it arrives and refused past the limit."""
    app = create_app(make_settings(max_body_bytes=2_000), services=FakeServices())

    def chunks() -> Any:
        yield b'{"scenario_name": "tiny", "pad": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    with TestClient(app) as client:
        r = client.post("/v1/plans", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        assert "2000 bytes" in r.json()["detail"][0]["message"]
