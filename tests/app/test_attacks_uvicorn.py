"""Attacks on a real uvicorn on 127.0.0.1: each gets a 4xx naming the field within 2 s,
nothing is written outside the server's data folder, and ``/healthz`` stays up throughout."""

from __future__ import annotations

import io
import socket
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_fakes import FakeServices

from app.config import Settings
from app.main import create_app
from app.tasks import Services

PROBE_S = 2.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HealthWatch:
    """Polls ``/healthz`` in a thread, and once more on exit; records failures and the slowest
    answer (the server shares the test's process, so a poll may wait for the GIL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.failures: list[str] = []
        self.slowest_s = 0.0
        self.polls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll_once()
            self._stop.wait(0.02)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self._stop.clear()
        self._poll_once()

    def _poll_once(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5.0) as client:
            t0 = time.monotonic()
            try:
                status = client.get("/healthz").status_code
                if status != 200:
                    self.failures.append(f"status {status}")
            except httpx.HTTPError as exc:
                self.failures.append(repr(exc))
            self.slowest_s = max(self.slowest_s, time.monotonic() - t0)
            self.polls += 1


@contextmanager
def running_server(settings: Settings, services: Services | None = None) -> Iterator[str]:
    """The app on a real uvicorn in a thread; yields its base URL."""
    app = create_app(settings, services=services)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn stopped at start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The server's data folder (job database and caches)."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def server_settings(data_dir: Path, scenarios_dir: Path) -> Callable[..., Settings]:
    """Settings of a server writing only into ``data_dir``."""

    def make(**overrides: Any) -> Settings:
        return Settings(
            cache_dir=data_dir,
            database_url=f"sqlite:///{data_dir / 'jobs.db'}",
            scenarios_dir=scenarios_dir,
            **overrides,
        )

    return make


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


def _tiny_files(folder: Path) -> dict[str, bytes | str]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _edited(files: dict[str, bytes | str], name: str, old: str, new: str) -> dict[str, Any]:
    text = files[name]
    text = text.decode() if isinstance(text, bytes) else text
    assert old in text
    return {**files, name: text.replace(old, new, 1)}


def _probe(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    t0 = time.monotonic()
    r = client.request(method, url, **kwargs)
    elapsed = time.monotonic() - t0
    assert elapsed < PROBE_S, f"{method} {url} took {elapsed:.2f} s"
    return r


def _upload(client: httpx.Client, data: bytes) -> httpx.Response:
    return _probe(client, "POST", "/v1/plans", files={"file": ("s.zip", data, "application/zip")})


def _tmp_uploads() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("racines-upload-*")}


def test_attacks_on_a_real_server(
    server_settings: Callable[..., Settings],
    data_dir: Path,
    tiny_scenario_dir: Path,
    tmp_path: Path,
) -> None:
    """Zip path tricks, server file names, huge month ranges and inf: 4xx in time, no write."""
    marker = f"racines-probe-{uuid.uuid4().hex}.csv"
    tmp_x_existed = Path("/tmp/x.csv").exists()
    uploads_before = _tmp_uploads()
    files = _tiny_files(tiny_scenario_dir)
    with (
        running_server(server_settings()) as url,
        HealthWatch(url) as health,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        for entry in ("\\tmp\\x.csv", f"\\tmp\\{marker}", "../x.csv", f"../{marker}"):
            r = _upload(client, _zip({**files, entry: "id\n1\n"}))
            assert r.status_code == 422, r.text
            item = r.json()["detail"][0]
            assert (item["field"], item["value"]) == ("file", entry)
        r = _upload(client, _zip({"a": "x", "a/b": "y"}))
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["value"] == "a"

        scenario = client.get("/v1/scenarios/tiny").json()
        for road_file in ("/etc/passwd", "../../../etc/passwd"):
            scenario["settings"]["travel"] = {"source": "road", "road_file": road_file}
            body = {"scenario": scenario, "canteen_id": "ribiers", "weeks": 1}
            r = _probe(client, "POST", "/v1/sourcing-proposals", json=body)
            assert r.status_code == 422, r.text
            assert r.json()["detail"][0]["field"] == "scenario.settings.travel.road_file"
            r = _probe(client, "POST", "/v1/plans", json={"scenario": scenario})
            assert r.status_code == 422, r.text
            assert r.json()["detail"][0]["field"] == "scenario.settings.travel.road_file"
        toml = files["settings.toml"].decode()  # type: ignore[union-attr]
        toml += '\n[travel]\nsource = "road"\nroad_file = "/etc/passwd"\n'
        r = _upload(client, _zip({**files, "settings.toml": toml}))
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["field"] == "scenario.settings.travel.road_file"

        r = _upload(client, _zip(_edited(files, "offers.csv", ",6-11,", ",1-99999999,")))
        assert 400 <= r.status_code < 500, r.text
        assert r.json()["detail"][0]["field"] == "offers.csv, row 2, column months"
        r = _upload(client, _zip(_edited(files, "offers.csv", ",1.9,", ",inf,")))
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["field"] == "offers.csv, row 2, column price_eur_per_unit"
        text = client.get("/v1/scenarios/tiny").text.replace(
            '"price_eur_per_unit":1.9', '"price_eur_per_unit":Infinity', 1
        )
        r = _probe(
            client,
            "POST",
            "/v1/sourcing-proposals",
            content='{"canteen_id": "ribiers", "weeks": 1, "scenario": ' + text + "}",
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["field"] == "scenario.offers[0].price_eur_per_unit"
    assert not Path(f"/tmp/{marker}").exists()
    assert not (tmp_path / "x.csv").exists() and not (data_dir.parent / marker).exists()
    assert Path("/tmp/x.csv").exists() == tmp_x_existed
    assert _tmp_uploads() <= uploads_before  # temporary upload folders are gone
    assert {p.name for p in data_dir.iterdir()} <= {"jobs.db", "jobs.db-wal", "jobs.db-shm"}
    assert health.failures == [] and health.polls >= 3
    assert health.slowest_s < 1.0


def test_job_whose_export_write_fails_ends_failed(
    server_settings: Callable[..., Settings],
) -> None:
    """A job whose exports cannot be stored ends failed (never stays running)."""
    fake = FakeServices(unstorable_exports=True)
    with (
        running_server(server_settings(), fake) as url,
        HealthWatch(url) as health,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1, "mode": "job"}
        job = _probe(client, "POST", "/v1/sourcing-proposals", json=body).json()
        deadline = time.monotonic() + PROBE_S
        while (status := client.get(f"/v1/jobs/{job['id']}").json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
        assert status["status"] == "failed"
        assert status["error"]["code"] == "internal_error"
    assert health.failures == []


def test_full_queue_and_oversized_chunked_upload(
    server_settings: Callable[..., Settings], data_dir: Path
) -> None:
    """A full queue is 503 with Retry-After; a chunked upload over the limit is 413."""
    gate = threading.Event()
    fake = FakeServices(gate=gate)
    settings = server_settings(max_queued_jobs=1, queue_retry_after_s=9, max_body_bytes=50_000)
    with (
        running_server(settings, fake) as url,
        HealthWatch(url) as health,
        httpx.Client(base_url=url, timeout=10) as client,
    ):
        body = {"scenario_name": "tiny", "canteen_id": "ribiers", "weeks": 1, "mode": "job"}
        assert _probe(client, "POST", "/v1/sourcing-proposals", json=body).status_code == 202
        assert fake.started.wait(PROBE_S)
        assert _probe(client, "POST", "/v1/sourcing-proposals", json=body).status_code == 202
        r = _probe(client, "POST", "/v1/sourcing-proposals", json=body)
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "9"
        assert "RACINES_MAX_QUEUED_JOBS" in r.json()["detail"][0]["message"]

        boundary = "racinesprobe"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()

        def chunks() -> Iterator[bytes]:
            yield head
            for _ in range(100):
                yield b"\0" * 10_000
            yield f"\r\n--{boundary}--\r\n".encode()

        r = _probe(
            client,
            "POST",
            "/v1/plans",
            content=chunks(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert r.status_code == 413, r.text
        assert r.json()["detail"][0]["field"] == "body"
        assert "RACINES_MAX_BODY_BYTES" in r.json()["detail"][0]["message"]
        gate.set()
    assert health.failures == []
    assert {p.name for p in data_dir.iterdir()} <= {"jobs.db", "jobs.db-wal", "jobs.db-shm"}
