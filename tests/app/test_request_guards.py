"""Posted scenarios and jobs: zip entries by name, cells, sizes and time checked first."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_fakes import FakeServices
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def _zip(entries: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buf.getvalue()


def _scenario_files(folder: Path) -> dict[str, bytes | str]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _post_zip(client: TestClient, data: bytes) -> Any:
    return client.post("/v1/plans", files={"file": ("s.zip", data, "application/zip")})


def _edit(files: dict[str, bytes | str], name: str, old: str, new: str) -> dict[str, bytes | str]:
    text = files[name]
    text = text.decode() if isinstance(text, bytes) else text
    assert old in text
    return {**files, name: text.replace(old, new, 1)}


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("\\tmp\\x.csv", "unsafe path"),
        ("../x.csv", "unsafe path"),
        ("/tmp/x.csv", "unsafe path"),
        ("C:/x.csv", "unsafe path"),
        ("a/b/offers.csv", "at most one folder"),
        ("x.csv", "not a scenario file"),
        ("inner.zip", "not a scenario file"),
    ],
)
def test_zip_entry_refused_by_name(
    client: TestClient, tiny_scenario_dir: Path, entry: str, why: str
) -> None:
    """Any entry other than the scenario's files is a 422 naming the entry."""
    files = {**_scenario_files(tiny_scenario_dir), entry: "x"}
    r = _post_zip(client, _zip(files))
    assert r.status_code == 422, r.text
    item = r.json()["detail"][0]
    assert item["field"] == "file"
    assert item["value"] == entry
    assert why in item["message"] and repr(entry) in item["message"]


def test_zip_file_and_folder_of_same_name(client: TestClient) -> None:
    """Entries ``a`` and ``a/b`` are refused (422, naming ``a``), not a 500."""
    r = _post_zip(client, _zip({"a": "x", "a/b": "y"}))
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["value"] == "a"


def test_zip_duplicate_and_second_folder(client: TestClient, tiny_scenario_dir: Path) -> None:
    """A file given twice, or two scenario folders, are refused naming the entry."""
    files = _scenario_files(tiny_scenario_dir)
    twice = {**files, **{f"tiny/{k}": v for k, v in files.items()}}
    r = _post_zip(client, _zip({f"tiny/{k}": v for k, v in files.items()} | {"other/menu.csv": ""}))
    assert r.status_code == 422
    assert r.json()["detail"][0]["value"] == "other/menu.csv"
    r = _post_zip(client, _zip(twice))
    assert r.status_code == 422
    assert r.json()["detail"][0]["value"] == "tiny/canteens.csv"
    r = _post_zip(client, _zip({"tiny/settings.toml": files["settings.toml"], "menu.csv": ""}))
    assert r.status_code == 422
    assert r.json()["detail"][0]["value"] == "menu.csv"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        for k, v in files.items():
            zf.writestr(k, v)
        zf.writestr("menu.csv", files["menu.csv"])
    r = _post_zip(client, buf.getvalue())
    assert r.status_code == 422
    assert "appears twice" in r.json()["detail"][0]["message"]


def test_zip_metadata_skipped_and_settings_required(
    client: TestClient, tiny_scenario_dir: Path
) -> None:
    """macOS metadata is skipped unread; a zip without settings.toml is a 422."""
    files = _scenario_files(tiny_scenario_dir)
    ok = {**files, "__MACOSX/._offers.csv": "junk", ".DS_Store": "junk"}
    assert _post_zip(client, _zip(ok)).status_code == 202
    files.pop("settings.toml")
    r = _post_zip(client, _zip(files))
    assert r.status_code == 422
    assert "settings.toml" in r.json()["detail"][0]["message"]


def test_zip_bomb_refused_from_its_directory(
    make_settings: Callable[..., Settings], tiny_scenario_dir: Path
) -> None:
    """Entry count, total size and compression ratio are refused, naming their setting."""
    settings = make_settings(max_zip_files=12, max_zip_bytes=5_000_000, max_zip_ratio=50)
    files = _scenario_files(tiny_scenario_dir)
    with TestClient(create_app(settings, services=FakeServices())) as client:
        many = {**files, **{f"__MACOSX/{i}": "x" for i in range(10)}}
        r = _post_zip(client, _zip(many))
        assert r.status_code == 422
        assert "RACINES_MAX_ZIP_FILES" in r.json()["detail"][0]["message"]
        t0 = time.monotonic()
        r = _post_zip(client, _zip({**files, "menu.csv": "a" * 6_000_000}))
        assert r.status_code == 422
        assert "RACINES_MAX_ZIP_BYTES" in r.json()["detail"][0]["message"]
        r = _post_zip(client, _zip({**files, "menu.csv": "a" * 1_000_000}))
        assert r.status_code == 422
        item = r.json()["detail"][0]
        assert item["value"] == "menu.csv" and "RACINES_MAX_ZIP_RATIO" in item["message"]
        assert time.monotonic() - t0 < 2.0


def test_months_range_checked_before_expansion(client: TestClient, tiny_scenario_dir: Path) -> None:
    """``1-99999999`` and ``15-3`` are 422s naming file, row and column, within 2 s."""
    files = _scenario_files(tiny_scenario_dir)
    for cell in ("1-99999999", "15-3", "0", "3-"):
        t0 = time.monotonic()
        r = _post_zip(client, _zip(_edit(files, "offers.csv", ",6-11,", f",{cell},")))
        assert time.monotonic() - t0 < 2.0
        assert r.status_code == 422, r.text
        item = r.json()["detail"][0]
        assert item["field"] == "offers.csv, row 2, column months", item
        assert item["value"] == cell
    wrap = _edit(files, "offers.csv", ",6-11,", ",10-2,")
    assert _post_zip(client, _zip(wrap)).status_code == 202


@pytest.mark.parametrize(
    ("file", "old", "new", "field"),
    [
        ("offers.csv", ",1.9,", ",inf,", "offers.csv, row 2, column price_eur_per_unit"),
        ("offers.csv", ",80,", ",1e999,", "offers.csv, row 2, column weekly_capacity"),
        ("offers.csv", "10:60", "10:nan", "offers.csv, row 2, column capacity_by_month"),
        ("canteens.csv", ",06:30,", ",inf,", "canteens.csv, row 2, column receiving_start_min"),
        (
            "settings.toml",
            "radius_min = 30.0",
            "radius_min = inf",
            "settings.toml, column radius_min",
        ),
    ],
)
def test_non_finite_cells_refused(
    client: TestClient, tiny_scenario_dir: Path, file: str, old: str, new: str, field: str
) -> None:
    """inf, nan and 1e999 in a number, time or settings cell are 422s naming the cell."""
    files = _edit(_scenario_files(tiny_scenario_dir), file, old, new)
    r = _post_zip(client, _zip(files))
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field


def test_row_limits_of_zip_files(
    make_settings: Callable[..., Settings], tiny_scenario_dir: Path
) -> None:
    """A CSV over its row limit is refused before it is parsed, naming file and setting."""
    with TestClient(create_app(make_settings(max_offers=2), services=FakeServices())) as client:
        r = _post_zip(client, _zip(_scenario_files(tiny_scenario_dir)))
        assert r.status_code == 422
        item = r.json()["detail"][0]
        assert item["field"] == "offers.csv"
        assert "RACINES_MAX_OFFERS" in item["message"]


def test_inline_json_limits_and_numbers(make_settings: Callable[..., Settings]) -> None:
    """JSON scenarios: every collection is bounded and Infinity / NaN are refused."""
    settings = make_settings(max_offers=2, max_vans=0 + 1, max_matrix_points=4)
    with TestClient(create_app(settings, services=FakeServices())) as client:
        scenario = client.get("/v1/scenarios/tiny").json()
        body = {"scenario": scenario, "canteen_id": "ribiers", "weeks": 1}
        r = client.post("/v1/sourcing-proposals", json=body)
        assert r.status_code == 422
        item = r.json()["detail"][0]
        assert item["field"] == "scenario.offers" and "RACINES_MAX_OFFERS" in item["message"]
        scenario["offers"] = scenario["offers"][:2]
        r = client.post("/v1/sourcing-proposals", json=body)
        assert r.status_code == 422
        assert "RACINES_MAX_MATRIX_POINTS" in r.json()["detail"][0]["message"]
    with TestClient(create_app(make_settings(), services=FakeServices())) as client:
        scenario_text = client.get("/v1/scenarios/tiny").text
        price = '"price_eur_per_unit":1.9'
        assert price in scenario_text
        inf_scenario = scenario_text.replace(price, '"price_eur_per_unit":Infinity', 1)
        text = '{"canteen_id": "ribiers", "weeks": 1, "scenario": ' + inf_scenario + "}"
        r = client.post(
            "/v1/sourcing-proposals",
            content=text,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422, r.text
        item = r.json()["detail"][0]
        assert item["field"] == "scenario.offers[0].price_eur_per_unit"


@pytest.mark.parametrize("road_file", ["/etc/passwd", "../../x.osm", "roads.osm"])
def test_road_file_must_name_a_registered_network(client: TestClient, road_file: str) -> None:
    """A posted scenario naming a file for travel.road_file is a 422 naming the field."""
    scenario = client.get("/v1/scenarios/tiny").json()
    scenario["settings"]["travel"] = {"source": "road", "road_file": road_file}
    body = {"scenario": scenario, "canteen_id": "ribiers", "weeks": 1}
    r = client.post("/v1/sourcing-proposals", json=body)
    assert r.status_code == 422, r.text
    item = r.json()["detail"][0]
    assert item["field"] == "scenario.settings.travel.road_file"
    assert item["value"] == road_file
    assert "RACINES_ROAD_NETWORKS" in item["message"]


def test_registered_road_network_is_used_by_name(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """A registered network name is accepted; a broken network file is a 422, no path shown."""
    broken = tmp_path / "secret-folder" / "alps.osm"
    broken.parent.mkdir()
    broken.write_text("not an OSM file")
    settings = make_settings(road_networks={"alps": broken})
    with TestClient(create_app(settings)) as client:
        scenario = client.get("/v1/scenarios/tiny").json()
        scenario["settings"]["travel"] = {"source": "road", "road_file": "alps"}
        body = {"scenario": scenario, "canteen_id": "ribiers", "weeks": 1, "mode": "sync"}
        r = client.post("/v1/sourcing-proposals", json=body)
        assert r.status_code == 422, r.text
        item = r.json()["detail"][0]
        assert item["field"] == "scenario.settings.travel.road_file"
        assert "secret-folder" not in r.text and str(tmp_path) not in r.text


def test_validation_time_limit(make_settings: Callable[..., Settings]) -> None:
    """Validation past its time limit is a 422 naming the field and the setting, in time."""
    settings = make_settings(validation_time_limit_s=0.3)
    fake = FakeServices(load_delay_s=2.0)
    with TestClient(create_app(settings, services=fake)) as client:
        scenario = client.get("/v1/scenarios/tiny").json()
        t0 = time.monotonic()
        r = client.post(
            "/v1/sourcing-proposals",
            json={"scenario": scenario, "canteen_id": "ribiers", "weeks": 1},
        )
        assert time.monotonic() - t0 < 1.5
        assert r.status_code == 422, r.text
        item = r.json()["detail"][0]
        assert item["field"] == "scenario"
        assert "RACINES_VALIDATION_TIME_LIMIT_S" in item["message"]


def test_sync_only_below_the_sync_size(make_settings: Callable[..., Settings]) -> None:
    """mode=sync on a scenario over sync_max_points becomes a job (202)."""
    settings = make_settings(sync_max_points=3)
    with TestClient(create_app(settings, services=FakeServices())) as client:
        body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1, "mode": "sync"}
        r = client.post("/v1/sourcing-proposals", json=body)
        assert r.status_code == 202, r.text


def test_queue_full_is_503_with_retry_after(make_settings: Callable[..., Settings]) -> None:
    """Beyond max_queued_jobs waiting jobs, a new job is refused with 503 and Retry-After."""
    gate = threading.Event()
    settings = make_settings(max_queued_jobs=1, queue_retry_after_s=7)
    fake = FakeServices(gate=gate)
    with TestClient(create_app(settings, services=fake)) as client:
        body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1, "mode": "job"}
        assert client.post("/v1/sourcing-proposals", json=body).status_code == 202
        assert fake.started.wait(5)  # the first runs, the second waits
        assert client.post("/v1/sourcing-proposals", json=body).status_code == 202
        r = client.post("/v1/sourcing-proposals", json=body)
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "7"
        assert "RACINES_MAX_QUEUED_JOBS" in r.json()["detail"][0]["message"]
        gate.set()
